import { open } from 'node:fs/promises';

/** The part of fs.promises.FileHandle a video writer uses; a seam for disk-failure tests. */
export interface WritableFile {
  writev(buffers: readonly Buffer[], position: number): Promise<{ bytesWritten: number }>;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export type OpenWritableFile = (path: string) => Promise<WritableFile>;

/** 'wx': a recording is never overwritten, even if two trials race for one name. */
export const openNewFile: OpenWritableFile = (path) => open(path, 'wx');

/** Writes all of `buffer` at `position`, continuing after short writes. */
export async function writeFullyAt(file: WritableFile, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await file.write(buffer, done, buffer.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write made no progress at offset ${position + done}`);
    done += bytesWritten;
  }
}

