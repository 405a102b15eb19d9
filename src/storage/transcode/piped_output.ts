import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toModuleError, type ModuleError } from '../../errors/codes.js';
import type { AppendOnlyFile } from '../sinks/append_only_file.js';
import { storageWriteError } from '../../errors/write_errors.js';
import type { ByteSource } from './muxed_frames.js';

/**
 * ffmpeg's output (`pipe:1`) appended to an append-only file (encrypted as written: no
 * plaintext file ever exists). The bytes also stay in memory from the point the frame
 * counter has reached, so it can count the frames whose bytes are durable in the file;
 * that is at most a cluster plus a segment, not the recording.
 */
export class PipedOutput implements ByteSource {
  /** Resolves once every byte ffmpeg wrote is in the file and the file is closed (last segment). */
  readonly done: Promise<void>;
  private readonly chunks: Buffer[] = [];
  /** Offset of chunks[0] in the stream. */
  private base = 0;
  private received = 0;

  constructor(stdout: Readable, private readonly file: AppendOnlyFile) {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.chunks.push(chunk);
        this.received += chunk.length;
        this.file.writev([chunk], this.file.size).then(() => callback(), callback);
      },
      final: (callback) => {
        this.file.close().then(() => callback(), callback);
      },
    });
    this.done = pipeline(stdout, sink).catch(async (err: unknown) => {
      // The file stays as a crash would leave it (no last segment): --allow-truncated reads it.
      await this.file.close().catch(() => undefined);
      throw storageWriteError(err, this.file.path, 'writing the encoder output to');
    });
    // Awaited by the writer's close; a failure before that must not go unobserved.
    this.done.catch(() => undefined);
  }

  /** The failure of `done`, or null once it resolved. */
  async outcome(): Promise<ModuleError | null> {
    return this.done.then(() => null, (err: unknown) => toModuleError(err));
  }

  size(): Promise<number> {
    return Promise.resolve(Math.min(this.file.durableBytes(), this.received));
  }

  read(position: number, length: number): Promise<Buffer> {
    const end = Math.min(position + length, this.received);
    const pieces: Buffer[] = [];
    let offset = this.base;
    for (const chunk of this.chunks) {
      const chunkEnd = offset + chunk.length;
      if (chunkEnd > position && offset < end) pieces.push(chunk.subarray(Math.max(0, position - offset), Math.min(chunk.length, end - offset)));
      offset = chunkEnd;
      if (offset >= end) break;
    }
    return Promise.resolve(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
  }

  release(position: number): void {
    while (this.chunks.length > 0 && this.base + this.chunks[0]!.length <= position) {
      this.base += this.chunks.shift()!.length;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
