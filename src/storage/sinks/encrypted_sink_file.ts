import { ModuleError } from '../../errors/codes.js';
import type { EncryptedFileWriter } from '../../crypto/encrypted_file_writer.js';
import type { AppendOnlyFile } from './append_only_file.js';

/**
 * A WritableFile over an EncryptedFileWriter, for writers built on positional writes: it
 * accepts only appends (a write at the end of what it took), takes back bytes only while
 * they are still unencrypted in the writer's buffer, and reports as durable only the
 * plaintext inside segments already in the file. A writer that seeks back fails loudly
 * here instead of rewriting a segment (that would reuse its nonce).
 */
export class EncryptedSinkFile implements AppendOnlyFile {
  readonly appendOnly = true;

  constructor(private readonly writer: EncryptedFileWriter) {}

  get path(): string {
    return this.writer.path;
  }

  /** Plaintext bytes a kill -9 now would keep. */
  durableBytes(): number {
    return this.writer.plaintextBytesCommitted;
  }

  /** Plaintext bytes taken so far (the end an append must start at). */
  get size(): number {
    return this.writer.plaintextBytesAccepted;
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<{ bytesWritten: number }> {
    this.requireAppend(position);
    const writes: Promise<void>[] = [];
    let total = 0;
    for (const buffer of buffers) {
      if (buffer.length === 0) continue;
      writes.push(this.writer.write(buffer));
      total += buffer.length;
    }
    // Awaited together so a refusal of any of them is handled, not left unobserved.
    await Promise.all(writes);
    return { bytesWritten: total };
  }

  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    return this.writev([buffer.subarray(offset, offset + length)], position);
  }

  async truncate(length: number): Promise<void> {
    const accepted = this.writer.plaintextBytesAccepted;
    if (length === accepted) return;
    if (length < accepted && this.writer.retractBuffered(accepted - length)) return;
    throw new ModuleError('INTERNAL', `${this.path} is encrypted append-only: cannot cut it back from ${accepted} to ${length} bytes`, {
      data: { path: this.path },
    });
  }

  sync(): Promise<void> {
    return this.writer.sync();
  }

  datasync(): Promise<void> {
    return this.writer.sync();
  }

  /** Writes the last segment and closes; after a failed write, closes without it (reads as truncated). */
  close(): Promise<void> {
    return this.writer.close();
  }

  private requireAppend(position: number): void {
    const end = this.writer.plaintextBytesAccepted;
    if (position === end) return;
    throw new ModuleError('INTERNAL', `${this.path} is encrypted append-only: a write at ${position} is not at its end (${end})`, {
      data: { path: this.path },
    });
  }
}
