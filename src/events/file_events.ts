/** What a written file holds; later transforms (encryption) and consumers (the segment index) key on it. */
export type FileKind = 'video' | 'timing' | 'metadata' | 'snapshot' | 'segment' | 'clip';

/** A file the module has just created (exclusively) and is writing. */
export interface FileOpened {
  readonly path: string;
  readonly kind: FileKind;
  /** "backend:stable_id" of the camera the file belongs to, when there is one. */
  readonly cameraId: string | null;
  readonly trialNumber: number | null;
}

/**
 * A file that can no longer change: nothing in the module writes to, truncates or renames
 * it after this event. frames and sensor timestamps are null for files without frames.
 */
export interface FileClosed extends FileOpened {
  readonly bytes: number;
  readonly frames: number | null;
  readonly firstSensorTimestampNs: bigint | null;
  readonly lastSensorTimestampNs: bigint | null;
  /**
   * The file was deleted instead of kept: a video file no frame reached (a trial stopped
   * before its first frame) would be unreadable. Absent or false: the file is on disk.
   */
  readonly removed?: boolean;
}

