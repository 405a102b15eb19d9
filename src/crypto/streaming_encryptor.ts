import { createCipheriv, randomBytes } from 'node:crypto';
import { ModuleError } from '../errors/codes.js';
import {
  KEY_SIZE, MAX_SEGMENTS, NONCE_PREFIX_SIZE, buildHeader, deriveSegmentKey, segmentGeometry, segmentNonce,
  type SegmentGeometry,
} from './tink_format.js';

export interface StreamingEncryptorOptions {
  readonly ciphertextSegmentSize: number;
  /** Tink's associated data: authenticated (through the HKDF info), not stored in the ciphertext. */
  readonly associatedData: Buffer;
}

/**
 * Encrypts one stream in Tink's AES-GCM-HKDF streaming format. Plaintext comes in chunks of
 * any size; a segment is encrypted as soon as it is full, so what was emitted survives a
 * crash. finish() emits the last-flagged segment (empty when the plaintext ended exactly on
 * a segment boundary, which Tink accepts). Holds at most one segment of plaintext (copied:
 * the caller may reuse its buffers).
 *
 * Output is ciphertext *pieces* to be written in order: each segment comes as its body and
 * its tag, two buffers, because joining them would copy every byte once more (a third of the
 * CPU cost, measured by bench/crypto.ts).
 */
export class StreamingEncryptor {
  /** The Tink header (header length ‖ salt ‖ nonce prefix); it precedes segment 0. */
  readonly header: Buffer;
  readonly geometry: SegmentGeometry;
  private readonly segmentKey: Buffer;
  private readonly noncePrefix: Buffer;
  private readonly pending: Buffer;
  private pendingBytes = 0;
  private nextIndex = 0;
  private finished = false;

  constructor(inputKey: Buffer, options: StreamingEncryptorOptions) {
    if (inputKey.length !== KEY_SIZE) throw new ModuleError('INVALID_PARAMS', `key must be ${KEY_SIZE} bytes`, { field: 'key' });
    this.geometry = segmentGeometry(options.ciphertextSegmentSize);
    const salt = randomBytes(KEY_SIZE);
    this.noncePrefix = randomBytes(NONCE_PREFIX_SIZE);
    this.header = buildHeader(salt, this.noncePrefix);
    this.segmentKey = deriveSegmentKey(inputKey, salt, options.associatedData);
    this.pending = Buffer.alloc(this.geometry.plaintextSegmentSize);
  }

  /** Plaintext waiting for its segment to fill. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Segments emitted so far. */
  get segmentsEmitted(): number {
    return this.nextIndex;
  }

  /** Takes plaintext; returns the ciphertext pieces of the segments it completed (often none), in order. */
  update(chunk: Buffer): Buffer[] {
    this.assertOpen();
    const pieces: Buffer[] = [];
    let consumed = 0;
    while (consumed < chunk.length) {
      const room = this.currentCapacity() - this.pendingBytes;
      const take = Math.min(room, chunk.length - consumed);
      chunk.copy(this.pending, this.pendingBytes, consumed, consumed + take);
      this.pendingBytes += take;
      consumed += take;
      if (this.pendingBytes === this.currentCapacity()) pieces.push(...this.sealPending(false));
    }
    return pieces;
  }

  /**
   * Takes back the last `count` bytes not yet in an emitted segment (never encrypted, so no
   * nonce is reused). Returns false, changing nothing, when fewer bytes are buffered.
   */
  retract(count: number): boolean {
    if (!Number.isInteger(count) || count < 0 || count > this.pendingBytes) return false;
    this.pendingBytes -= count;
    return true;
  }

  /** The pieces of the last segment; the encryptor cannot be used afterwards. */
  finish(): Buffer[] {
    this.assertOpen();
    const last = this.sealPending(true);
    this.finished = true;
    return last;
  }

  private currentCapacity(): number {
    return this.nextIndex === 0 ? this.geometry.firstPlaintextSegmentSize : this.geometry.plaintextSegmentSize;
  }

  private sealPending(last: boolean): [body: Buffer, tag: Buffer] {
    if (this.nextIndex >= MAX_SEGMENTS) {
      throw new ModuleError('INVALID_PARAMS', 'stream too long: the 2^32 segment numbers of one file are used up', { field: 'plaintext' });
    }
    const cipher = createCipheriv('aes-256-gcm', this.segmentKey, segmentNonce(this.noncePrefix, this.nextIndex, last));
    const body = cipher.update(this.pending.subarray(0, this.pendingBytes));
    cipher.final(); // GCM is a stream mode: final() returns no bytes, it computes the tag
    this.nextIndex += 1;
    this.pendingBytes = 0;
    return [body, cipher.getAuthTag()];
  }

  private assertOpen(): void {
    if (this.finished) throw new ModuleError('INVALID_STATE', 'the encrypted stream is already finished');
  }
}
