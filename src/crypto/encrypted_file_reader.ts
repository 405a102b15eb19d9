import { open, type FileHandle } from 'node:fs/promises';
import { ModuleError } from '../errors/codes.js';
import { CiphertextError } from './ciphertext_error.js';
import { openCiphertext, type OpenedCiphertext } from './ciphertext_opening.js';
import { ENVELOPE_FIXED_SIZE, parseEnvelopePrefix } from './envelope.js';
import type { DecryptionKey } from './file_keys.js';
import { authenticateSegment } from './segment_authenticator.js';
import { HEADER_SIZE, segmentPlacement, TAG_SIZE } from './tink_format.js';

/**
 * Random access to an encrypted file: any segment is read and authenticated on its own. The
 * segment count follows from the file size (Tink's rule), so segment count-1 must carry the
 * last flag: a cut or extended file fails there with the reason.
 */
export class EncryptedFileReader {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly opened: OpenedCiphertext,
    readonly fileBytes: number,
    readonly segmentCount: number,
  ) {}

  static async open(path: string, key: DecryptionKey): Promise<EncryptedFileReader> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new ModuleError('INVALID_PARAMS', `cannot open ${path}: ${err instanceof Error ? err.message : String(err)}`, { field: 'file', cause: err });
    }
    try {
      const fileBytes = (await handle.stat()).size;
      const fixed = await readAt(handle, 0, ENVELOPE_FIXED_SIZE);
      const prefix = parseEnvelopePrefix(fixed);
      const rest = await readAt(handle, ENVELOPE_FIXED_SIZE, prefix.keyBlockLength + HEADER_SIZE);
      if (rest.length < prefix.keyBlockLength + HEADER_SIZE) {
        throw new CiphertextError({ reason: 'truncated', segment: null, offset: fileBytes }, 'the file ends before the end of its envelope and header');
      }
      const envelope = Buffer.concat([fixed, rest.subarray(0, prefix.keyBlockLength)]);
      const opened = openCiphertext(prefix, envelope, rest.subarray(prefix.keyBlockLength), key);
      const tinkBytes = fileBytes - opened.tinkStart;
      const segmentCount = Math.max(1, Math.ceil(tinkBytes / prefix.ciphertextSegmentSize));
      return new EncryptedFileReader(path, handle, opened, fileBytes, segmentCount);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  get ciphertextSegmentSize(): number {
    return this.opened.prefix.ciphertextSegmentSize;
  }

  /** Plaintext length implied by the file size (exact once the last segment verified). */
  get plaintextBytes(): number {
    return Math.max(0, this.fileBytes - this.opened.tinkStart - HEADER_SIZE - this.segmentCount * TAG_SIZE);
  }

  /** Offset of segment `index`'s first byte in the plaintext. */
  plaintextOffset(index: number): number {
    const { firstPlaintextSegmentSize, plaintextSegmentSize } = this.opened.decryptor.geometry;
    return index === 0 ? 0 : firstPlaintextSegmentSize + (index - 1) * plaintextSegmentSize;
  }

  /** Decrypts segment `index`; throws a CiphertextError naming segment, offset and reason. */
  async readSegment(index: number): Promise<Buffer> {
    if (!Number.isInteger(index) || index < 0 || index >= this.segmentCount) {
      throw new ModuleError('INVALID_PARAMS', `segment ${index} is outside 0..${this.segmentCount - 1}`, { field: 'segment' });
    }
    const { start, fullLength } = segmentPlacement(this.opened.decryptor.geometry, index);
    const fileOffset = this.opened.tinkStart + start;
    const ciphertext = await readAt(this.handle, fileOffset, fullLength);
    const final = index === this.segmentCount - 1;
    const bytesAfter = Math.max(0, this.fileBytes - fileOffset - ciphertext.length);
    return authenticateSegment(this.opened.decryptor, ciphertext, { index, fileOffset, final, bytesAfter });
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Up to `length` bytes at `position` (fewer at the end of the file). */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
