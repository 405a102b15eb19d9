import type { FileHandle } from 'node:fs/promises';
import type { WritableFile } from '../mkv/writable_file.js';

/**
 * A file that can only grow at its end and never be patched: an encrypted file (each Tink
 * segment is written once). Writers that patch or truncate at close use their append-only
 * mode with it, and count as durable only durableBytes() of what they gave it.
 */
export interface AppendOnlyFile extends WritableFile {
  readonly appendOnly: true;
  readonly path: string;
  /** Bytes given so far (where the next append goes). */
  readonly size: number;
  /** Of those, the bytes a kill -9 now would keep. */
  durableBytes(): number;
}

export function isAppendOnly(file: FileHandle | WritableFile): file is AppendOnlyFile {
  return (file as Partial<AppendOnlyFile>).appendOnly === true;
}
