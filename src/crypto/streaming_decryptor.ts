import { ByteQueue } from './byte_queue.js';
import { CiphertextError } from './ciphertext_error.js';
import { openCiphertext, type OpenedCiphertext } from './ciphertext_opening.js';
import { ENVELOPE_FIXED_SIZE, parseEnvelopePrefix, type EnvelopePrefix } from './envelope.js';
import type { DecryptionKey } from './file_keys.js';
import { authenticateSegment } from './segment_authenticator.js';
import { HEADER_SIZE, segmentPlacement } from './tink_format.js';

export interface DecryptOptions {
  /**
   * Accept a file cut by a crash: return every complete segment and report the loss instead
   * of failing. Only authenticated bytes are ever returned.
   */
  readonly allowTruncated?: boolean;
}

/** What was lost when a truncated file was accepted. */
export interface Truncation {
  readonly reason: 'truncated' | 'truncated_or_modified';
  /** The first segment that is missing or incomplete: where the loss starts. */
  readonly segment: number;
  /** Bytes of the file that were dropped (an incomplete final segment); 0 when the file ended on a segment boundary. */
  readonly droppedBytes: number;
  readonly message: string;
}

export interface DecryptSummary {
  readonly keyMode: EnvelopePrefix['keyMode'];
  readonly ciphertextSegmentSize: number;
  readonly segments: number;
  readonly plaintextBytes: number;
  readonly fileBytes: number;
  readonly truncation: Truncation | null;
}

/**
 * Sequential decryption of a whole encrypted file (envelope included) fed in chunks of any
 * size. A segment's plaintext is released only once it authenticated, and a full segment only
 * once a following byte proves it is not the final one. Holds at most a segment plus a chunk.
 */
export class StreamingDecryptor {
  private readonly queue = new ByteQueue();
  private prefix: EnvelopePrefix | null = null;
  /** The envelope's fixed part, kept until the key block arrives. */
  private fixed: Buffer | null = null;
  private opened: OpenedCiphertext | null = null;
  private offset = 0;
  private index = 0;
  private plaintextBytes = 0;
  private truncation: Truncation | null = null;
  private finished = false;
  /** The final segment's bytes after it failed, for acceptTruncation. */
  private failedFinal: Buffer = Buffer.alloc(0);

  constructor(private readonly key: DecryptionKey, private readonly options: DecryptOptions = {}) {}

  /** Plaintext of the segments this chunk completed. Throws a CiphertextError at the first bad segment. */
  update(chunk: Buffer): Buffer[] {
    this.queue.push(chunk);
    const out: Buffer[] = [];
    if (!this.openWhenReady()) return out;
    const opened = this.opened as OpenedCiphertext;
    for (;;) {
      const { fullLength } = segmentPlacement(opened.decryptor.geometry, this.index);
      if (this.queue.length <= fullLength) return out; // it may be the final segment: wait for one more byte or the end
      out.push(this.release(fullLength, false));
    }
  }

  /** The final segment's plaintext (or nothing, when a cut file is accepted). */
  finish(): Buffer[] {
    this.finished = true;
    if (!this.openWhenReady()) {
      throw new CiphertextError({ reason: 'truncated', segment: null, offset: this.offset + this.queue.length },
        'the file ends before the end of its envelope and header');
    }
    try {
      return [this.release(this.queue.length, true)];
    } catch (err) {
      if (!(this.options.allowTruncated === true && err instanceof CiphertextError)) throw err;
      return this.acceptTruncation(err);
    }
  }

  get summary(): DecryptSummary {
    if (this.prefix === null || !this.finished) throw new RangeError('summary is known once the whole file was decrypted');
    return {
      keyMode: this.prefix.keyMode, ciphertextSegmentSize: this.prefix.ciphertextSegmentSize,
      segments: this.index, plaintextBytes: this.plaintextBytes, fileBytes: this.offset, truncation: this.truncation,
    };
  }

  private release(length: number, final: boolean): Buffer {
    const opened = this.opened as OpenedCiphertext;
    const ciphertext = this.queue.take(length);
    const position = { index: this.index, fileOffset: this.offset, final, bytesAfter: final ? 0 : null };
    if (final) this.failedFinal = ciphertext; // released again below once it authenticates
    const plaintext = authenticateSegment(opened.decryptor, ciphertext, position);
    this.failedFinal = Buffer.alloc(0);
    this.offset += length;
    this.index += 1;
    this.plaintextBytes += plaintext.length;
    return plaintext;
  }

  private acceptTruncation(error: CiphertextError): Buffer[] {
    const ciphertext = this.failedFinal;
    if (error.reason !== 'truncated' && error.reason !== 'truncated_or_modified') throw error;
    const decryptor = (this.opened as OpenedCiphertext).decryptor;
    // Cut on a segment boundary: the final segment is complete and authentic, only not the last.
    const complete = error.reason === 'truncated' ? decryptor.tryDecrypt(this.index, ciphertext, false) : null;
    this.truncation = {
      reason: error.reason, segment: complete === null ? this.index : this.index + 1,
      droppedBytes: complete === null ? ciphertext.length : 0, message: error.message,
    };
    this.offset += ciphertext.length;
    if (complete === null) return [];
    this.index += 1;
    this.plaintextBytes += complete.length;
    return [complete];
  }

  /** Parses the envelope and header once enough bytes have arrived; true when segments can follow. */
  private openWhenReady(): boolean {
    if (this.opened !== null) return true;
    if (this.prefix === null) {
      if (this.queue.length < ENVELOPE_FIXED_SIZE && !this.finished) return false;
      const head = this.queue.take(Math.min(this.queue.length, ENVELOPE_FIXED_SIZE));
      this.prefix = parseEnvelopePrefix(head);
      this.fixed = head;
      this.offset = head.length;
    }
    const rest = this.prefix.keyBlockLength + HEADER_SIZE;
    if (this.queue.length < rest) return false;
    const keyBlock = this.queue.take(this.prefix.keyBlockLength);
    const header = this.queue.take(HEADER_SIZE);
    this.opened = openCiphertext(this.prefix, Buffer.concat([this.fixed as Buffer, keyBlock]), header, this.key);
    this.offset += rest;
    return true;
  }
}
