import { Writable } from 'node:stream';
import type { EncryptedFileWriter } from './encrypted_file_writer.js';

/**
 * A Writable over an EncryptedFileWriter, so an ffmpeg child's stdout can be piped into an
 * encrypted file with backpressure: a chunk is acknowledged once the segments it completed
 * are written. end() writes the last segment; destroy() with an error leaves the file
 * without it (it then reads as truncated, like after a crash).
 */
export class EncryptingWritable extends Writable {
  constructor(readonly writer: EncryptedFileWriter) {
    super({ decodeStrings: true });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writer.write(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.writer.close().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.writer.abandon().then(() => callback(error), () => callback(error));
  }
}
