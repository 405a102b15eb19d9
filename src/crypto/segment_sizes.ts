/**
 * The kinds of file the module writes (the storage file lifecycle's FileKind); the kind picks
 * the ciphertext segment size.
 */
export type EncryptedFileKind = 'video' | 'timing' | 'metadata' | 'snapshot' | 'segment' | 'clip';

export type SegmentSizeClass = 'media' | 'text';

export function segmentSizeClass(kind: EncryptedFileKind): SegmentSizeClass {
  return kind === 'timing' || kind === 'metadata' ? 'text' : 'media';
}

/**
 * A kill -9 loses the segment being filled (an AES-GCM segment can only be written whole), so
 * a segment must hold at most about a second of data:
 * - media: 1 MiB ≈ 0.44 s of 1080p30 MJPEG at ~2.4 MB/s (≈ 1 s at 1 MB/s, 720p). Tag overhead
 *   16 B/MiB; one segment of memory per open file.
 * - text: 2 KiB ≈ 0.7 s of timing rows at ~3 KB/s (30 rows/s of ~100 B). Tag overhead 0.8 %.
 */
export const DEFAULT_SEGMENT_SIZES: Readonly<Record<SegmentSizeClass, number>> = {
  media: 1024 * 1024,
  text: 2048,
};

export function defaultSegmentSize(kind: EncryptedFileKind): number {
  return DEFAULT_SEGMENT_SIZES[segmentSizeClass(kind)];
}
