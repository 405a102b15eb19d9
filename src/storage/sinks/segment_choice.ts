import type { CaptureMode } from '../../camera_core/types.js';
import type { RecordingFormat } from '../../camera_core/recording_format.js';

/**
 * Bits per pixel a recording typically needs: MJPEG as cameras send it (1080p30 at
 * ~2.4 MB/s is 0.31), H.264 at the default CRF with -preset veryfast (0.02 … 0.1).
 */
const BITS_PER_PIXEL = { mjpeg: 0.3, h264: 0.05 } as const;

/** Below this, tags and cipher calls start to cost more than the second of data they protect. */
export const MIN_VIDEO_SEGMENT_BYTES = 16 * 1024;

/** The video a trial in this mode and format writes per second, roughly. */
export function expectedVideoBytesPerSecond(format: Pick<RecordingFormat, 'filePixelFormat'>, mode: Pick<CaptureMode, 'width' | 'height' | 'fps'>): number {
  const bpp = format.filePixelFormat === 'yuv420p' ? BITS_PER_PIXEL.h264 : BITS_PER_PIXEL.mjpeg;
  return (mode.width * mode.height * mode.fps * bpp) / 8;
}

/**
 * A kill -9 loses the segment being filled, so a segment should hold about a second of data
 * at most: the largest power of two not above `bytesPerSecond`, within
 * [MIN_VIDEO_SEGMENT_BYTES, maxBytes] (maxBytes: encryption.media_segment_bytes). A
 * 320x240 H.264 trial (~15 kB/s) would otherwise need over a minute to fill 1 MiB.
 */
export function videoSegmentBytes(bytesPerSecond: number, maxBytes: number): number {
  if (!(bytesPerSecond > 0)) return maxBytes;
  const floorPow2 = 2 ** Math.floor(Math.log2(bytesPerSecond));
  return Math.min(maxBytes, Math.max(Math.min(MIN_VIDEO_SEGMENT_BYTES, maxBytes), floorPow2));
}
