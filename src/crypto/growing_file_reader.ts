import { open, type FileHandle } from 'node:fs/promises';
import { ModuleError } from '../errors/codes.js';
import { openCiphertext, type OpenedCiphertext } from './ciphertext_opening.js';
import { ENVELOPE_FIXED_SIZE, parseEnvelopePrefix } from './envelope.js';
import type { DecryptionKey } from './file_keys.js';
import { authenticateSegment } from './segment_authenticator.js';
import { HEADER_SIZE, segmentPlacement } from './tink_format.js';

/**
 * Random access by plaintext offset to an encrypted file that may still be growing (a ring
 * segment being written) or may have been cut by a crash: only segments that authenticate
 * are readable. A complete segment at the end is tried as an inner segment first (the writer
 * has more to come) and then as the last one; a shorter trailing segment is readable only
 * once it authenticates as the last one (the file was closed). One decrypted segment is kept,
 * so memory stays at one segment however large the file; nothing is written anywhere.
 */
export class GrowingEncryptedReader {
  private opened: OpenedCiphertext | null = null;
  private cached: { index: number; plaintext: Buffer } | null = null;

  private constructor(readonly path: string, private readonly handle: FileHandle, private readonly key: DecryptionKey) {}

  static async open(path: string, key: DecryptionKey): Promise<GrowingEncryptedReader> {
    return new GrowingEncryptedReader(path, await open(path, 'r'), key);
  }

  /** Plaintext bytes that authenticate now (0 while the header is not yet in the file). */
  async readableBytes(): Promise<number> {
    const size = (await this.handle.stat()).size;
    const opened = await this.header(size);
    if (opened === null) return 0;
    const segmentSize = opened.prefix.ciphertextSegmentSize;
    const tinkBytes = size - opened.tinkStart;
    const complete = Math.floor(tinkBytes / segmentSize);
    const trailing = tinkBytes - complete * segmentSize;
    if (trailing > 0 && (await this.trySegment(complete, size)) !== null) return this.plaintextOffset(complete) + this.cached!.plaintext.length;
    if (complete === 0) return 0;
    const lastComplete = await this.trySegment(complete - 1, size);
    // A complete segment that authenticates neither way is damage, not a file in progress.
    if (lastComplete === null) await this.segment(complete - 1, size);
    return this.plaintextOffset(complete - 1) + this.cached!.plaintext.length;
  }

  /** Up to `length` plaintext bytes at `position` (fewer where the readable part ends). */
  async read(position: number, length: number): Promise<Buffer> {
    const size = (await this.handle.stat()).size;
    const opened = await this.header(size);
    if (opened === null || length <= 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let at = position;
    let remaining = length;
    while (remaining > 0) {
      const index = this.segmentOf(at);
      const plaintext = await this.trySegment(index, size) ?? (index < this.segmentsIn(size) - 1 ? await this.segment(index, size) : null);
      if (plaintext === null) break;
      const within = at - this.plaintextOffset(index);
      if (within >= plaintext.length) break;
      const piece = plaintext.subarray(within, Math.min(plaintext.length, within + remaining));
      parts.push(piece);
      at += piece.length;
      remaining -= piece.length;
    }
    return parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts);
  }

  close(): Promise<void> {
    this.cached = null;
    return this.handle.close();
  }

  /** The envelope and Tink header, once the file holds them. */
  private async header(size: number): Promise<OpenedCiphertext | null> {
    if (this.opened !== null) return this.opened;
    if (size < ENVELOPE_FIXED_SIZE) return null;
    const fixed = await this.readAt(0, ENVELOPE_FIXED_SIZE);
    const prefix = parseEnvelopePrefix(fixed);
    if (size < ENVELOPE_FIXED_SIZE + prefix.keyBlockLength + HEADER_SIZE) return null;
    const rest = await this.readAt(ENVELOPE_FIXED_SIZE, prefix.keyBlockLength + HEADER_SIZE);
    const envelope = Buffer.concat([fixed, rest.subarray(0, prefix.keyBlockLength)]);
    this.opened = openCiphertext(prefix, envelope, rest.subarray(prefix.keyBlockLength), this.key);
    return this.opened;
  }

  private segmentsIn(size: number): number {
    return Math.ceil((size - this.opened!.tinkStart) / this.opened!.prefix.ciphertextSegmentSize);
  }

  private plaintextOffset(index: number): number {
    const { firstPlaintextSegmentSize, plaintextSegmentSize } = this.opened!.decryptor.geometry;
    return index === 0 ? 0 : firstPlaintextSegmentSize + (index - 1) * plaintextSegmentSize;
  }

  private segmentOf(position: number): number {
    const { firstPlaintextSegmentSize, plaintextSegmentSize } = this.opened!.decryptor.geometry;
    return position < firstPlaintextSegmentSize ? 0 : 1 + Math.floor((position - firstPlaintextSegmentSize) / plaintextSegmentSize);
  }

  /** Segment `index` decrypted (inner, or last when nothing follows it), or null while it is not all written. */
  private async trySegment(index: number, size: number): Promise<Buffer | null> {
    if (this.cached?.index === index) return this.cached.plaintext;
    const opened = this.opened!;
    const { start, fullLength } = segmentPlacement(opened.decryptor.geometry, index);
    const fileOffset = opened.tinkStart + start;
    if (fileOffset >= size) return null;
    const ciphertext = await this.readAt(fileOffset, fullLength);
    const nothingAfter = fileOffset + ciphertext.length >= size;
    const plaintext = (ciphertext.length === fullLength ? opened.decryptor.tryDecrypt(index, ciphertext, false) : null)
      ?? (nothingAfter ? opened.decryptor.tryDecrypt(index, ciphertext, true) : null);
    if (plaintext !== null) this.cached = { index, plaintext };
    return plaintext;
  }

  /** Segment `index`, which must authenticate: throws the CiphertextError that says why it does not. */
  private async segment(index: number, size: number): Promise<Buffer> {
    const tried = await this.trySegment(index, size);
    if (tried !== null) return tried;
    const opened = this.opened!;
    const { start, fullLength } = segmentPlacement(opened.decryptor.geometry, index);
    const fileOffset = opened.tinkStart + start;
    const ciphertext = await this.readAt(fileOffset, fullLength);
    const bytesAfter = Math.max(0, size - fileOffset - ciphertext.length);
    authenticateSegment(opened.decryptor, ciphertext, { index, fileOffset, final: bytesAfter === 0, bytesAfter });
    throw new ModuleError('INTERNAL', `${this.path}: segment ${index} neither authenticates nor fails`, { data: { path: this.path } });
  }

  private async readAt(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  }
}
