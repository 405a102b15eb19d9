import { open, type FileHandle } from 'node:fs/promises';
import { ModuleError } from '../errors/codes.js';
import { skipBytes } from './byte_queue.js';
import { storageWriteError } from '../errors/write_errors.js';
import { sealFileKey, type EncryptionKey } from './file_keys.js';
import { defaultSegmentSize, type EncryptedFileKind } from './segment_sizes.js';
import { StreamingEncryptor } from './streaming_encryptor.js';

export interface EncryptedFileWriterOptions {
  readonly kind: EncryptedFileKind;
  readonly key: EncryptionKey;
  /** Overrides the kind's default ciphertext segment size (bytes). */
  readonly ciphertextSegmentSize?: number;
}

/**
 * Writes one encrypted file, append-only: envelope and Tink header at creation, then each
 * segment once, at increasing offsets, as soon as it is full. Every segment has its own
 * nonce and none is ever rewritten, so GCM never sees a nonce twice; a kill -9 loses only
 * the segment being filled. Memory: one segment of plaintext, whatever the file's length.
 *
 * Writes are queued in call order; await write() (or use createEncryptingWritable) to keep
 * the queue short. After a failed write every later call rejects with the same error.
 */
export class EncryptedFileWriter {
  private writing: Promise<void> = Promise.resolve();
  private failure: ModuleError | null = null;
  private queuedBytes: number;
  private writtenBytes: number;
  private committedPlaintext = 0;
  private acceptedPlaintext = 0;
  private state: 'open' | 'closing' | 'closed' = 'open';

  private constructor(
    readonly path: string,
    readonly kind: EncryptedFileKind,
    private readonly handle: FileHandle,
    private readonly encryptor: StreamingEncryptor,
    prologueBytes: number,
  ) {
    this.queuedBytes = prologueBytes;
    this.writtenBytes = prologueBytes;
  }

  /** Creates `path` exclusively ('wx': never over an existing file) and writes envelope and header. */
  static async create(path: string, options: EncryptedFileWriterOptions): Promise<EncryptedFileWriter> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx');
    } catch (err) {
      throw storageWriteError(err, path, 'creating the encrypted file', 'STORAGE_UNAVAILABLE');
    }
    return EncryptedFileWriter.adopt(path, handle, options);
  }

  /**
   * Takes over `handle`, a file this process created empty and exclusively (the storage's
   * NameReserver), and writes envelope and header at offset 0. The writer owns the handle
   * from here: it is closed when creation fails too.
   */
  static async adopt(path: string, handle: FileHandle, options: EncryptedFileWriterOptions): Promise<EncryptedFileWriter> {
    let sealed: ReturnType<typeof sealFileKey>;
    let encryptor: StreamingEncryptor;
    try {
      const segmentSize = options.ciphertextSegmentSize ?? defaultSegmentSize(options.kind);
      sealed = sealFileKey(options.key, segmentSize);
      encryptor = new StreamingEncryptor(sealed.inputKey, { ciphertextSegmentSize: segmentSize, associatedData: sealed.envelope });
    } catch (err) {
      await handle.close().catch(() => undefined); // the key error is the one worth reporting
      throw err;
    }
    const prologue = Buffer.concat([sealed.envelope, encryptor.header]);
    try {
      await writeFully(handle, [prologue], 0);
    } catch (err) {
      await handle.close().catch(() => undefined); // the write error is the one worth reporting
      throw storageWriteError(err, path, 'writing the envelope of');
    }
    return new EncryptedFileWriter(path, options.kind, handle, encryptor, prologue.length);
  }

  /** Bytes in the file (envelope, header and complete segments written so far). */
  get bytesWritten(): number {
    return this.writtenBytes;
  }

  /** Plaintext bytes inside segments that are in the file: what a crash now would keep. */
  get plaintextBytesCommitted(): number {
    return this.committedPlaintext;
  }

  /** Plaintext bytes taken by write() so far. */
  get plaintextBytesAccepted(): number {
    return this.acceptedPlaintext;
  }

  /** Plaintext waiting for its segment to fill (at most one segment). */
  get bufferedBytes(): number {
    return this.encryptor.bufferedBytes;
  }

  /** Encrypts the chunk; resolves once every segment it completed is written to the file. */
  write(chunk: Buffer): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    const pieces = this.encryptor.update(chunk);
    this.acceptedPlaintext += chunk.length;
    const plaintextInSegments = this.acceptedPlaintext - this.encryptor.bufferedBytes;
    return pieces.length === 0 ? this.writing : this.enqueue(pieces, plaintextInSegments);
  }

  /**
   * Takes back the last `count` bytes given to write() while they are still buffered (never
   * encrypted); false, changing nothing, when they are not all buffered any more.
   */
  retractBuffered(count: number): boolean {
    if (this.state !== 'open') return false;
    if (!this.encryptor.retract(count)) return false;
    this.acceptedPlaintext -= count;
    return true;
  }

  /** Resolves when every complete segment so far is with the OS. */
  flushCompleteSegments(): Promise<void> {
    const refused = this.failure;
    return refused ? Promise.reject(refused) : this.writing;
  }

  /** flushCompleteSegments, then pushes the file's data to the device (fdatasync). */
  async sync(): Promise<void> {
    const refused = this.refusal();
    if (refused) throw refused;
    await this.flushCompleteSegments();
    try {
      await this.handle.datasync();
    } catch (err) {
      throw this.fail(err, 'syncing');
    }
  }

  /**
   * Writes the last segment, syncs and closes. The file is then complete and verifiable.
   * After a failed write it only closes the file (which then reads as truncated) and rejects
   * with that failure.
   */
  async close(): Promise<void> {
    if (this.state !== 'open') throw new ModuleError('INVALID_STATE', `encrypted file ${this.path} is already closed`);
    if (this.failure) {
      await this.abandon();
      throw this.failure;
    }
    const last = this.encryptor.finish();
    this.state = 'closing';
    try {
      await this.enqueue(last, this.acceptedPlaintext);
      await this.handle.datasync().catch((err: unknown) => { throw this.fail(err, 'syncing'); });
    } finally {
      this.state = 'closed';
      await this.handle.close().catch(() => undefined);
    }
  }

  /**
   * Closes without the last segment, as a crash would: the file then reads as truncated
   * (recoverable with --allow-truncated). For a source that failed mid-stream.
   */
  async abandon(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closed';
    await this.writing.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }

  private enqueue(pieces: Buffer[], plaintextAfter: number): Promise<void> {
    const position = this.queuedBytes;
    const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
    this.queuedBytes += length;
    this.writing = this.writing.then(async () => {
      if (this.failure) throw this.failure;
      try {
        await writeFully(this.handle, pieces, position);
      } catch (err) {
        throw this.fail(err, 'writing');
      }
      this.writtenBytes = position + length;
      this.committedPlaintext = plaintextAfter;
    });
    // The failure also stays in this.failure; callers that do not await must not crash the process.
    this.writing.catch(() => undefined);
    return this.writing;
  }

  private fail(err: unknown, action: string): ModuleError {
    this.failure ??= storageWriteError(err, this.path, `${action} the encrypted file`);
    return this.failure;
  }

  private refusal(): ModuleError | null {
    if (this.failure) return this.failure;
    if (this.state !== 'open') return new ModuleError('INVALID_STATE', `encrypted file ${this.path} is already closed`);
    return null;
  }
}

/** Writes all of `pieces` at `position` (one writev), continuing after short writes. */
async function writeFully(handle: FileHandle, pieces: readonly Buffer[], position: number): Promise<void> {
  let rest = pieces.filter((piece) => piece.length > 0);
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest, at);
    if (bytesWritten <= 0) throw new Error(`write made no progress at offset ${at}`);
    at += bytesWritten;
    rest = skipBytes(rest, bytesWritten);
  }
}

