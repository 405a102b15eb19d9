import { createDecipheriv } from 'node:crypto';
import { CiphertextError } from './ciphertext_error.js';
import {
  MAX_SEGMENTS, TAG_SIZE, deriveSegmentKey, segmentNonce, segmentPlacement, type SegmentGeometry,
} from './tink_format.js';

/** How far around its position a failing segment is looked for elsewhere (swap, drop, duplicate). */
const MISPLACEMENT_WINDOW = 8;
/**
 * Up to this segment size a failing segment is tried as a shorter last segment at every
 * length, to find where appended bytes begin (cost ≈ size²/2 bytes of GCM: 2 MB at 2 KiB).
 * Larger segments are tried only as an empty last segment (data that ended on a boundary).
 */
const APPEND_SEARCH_MAX_SEGMENT = 4096;

/** Decrypts single segments of one Tink ciphertext; knows nothing of files. */
export class SegmentDecryptor {
  private readonly segmentKey: Buffer;
  private readonly noncePrefix: Buffer;

  constructor(
    inputKey: Buffer,
    associatedData: Buffer,
    header: { readonly salt: Buffer; readonly noncePrefix: Buffer },
    readonly geometry: SegmentGeometry,
  ) {
    this.segmentKey = deriveSegmentKey(inputKey, header.salt, associatedData);
    this.noncePrefix = header.noncePrefix;
  }

  /** The plaintext, or null when the segment does not authenticate at this index with this flag. */
  tryDecrypt(index: number, ciphertext: Buffer, last: boolean): Buffer | null {
    if (ciphertext.length < TAG_SIZE || index < 0 || index >= MAX_SEGMENTS) return null;
    const bodyLength = ciphertext.length - TAG_SIZE;
    const decipher = createDecipheriv('aes-256-gcm', this.segmentKey, segmentNonce(this.noncePrefix, index, last));
    decipher.setAuthTag(ciphertext.subarray(bodyLength));
    const body = decipher.update(ciphertext.subarray(0, bodyLength));
    try {
      const tail = decipher.final();
      return tail.length === 0 ? body : Buffer.concat([body, tail]);
    } catch {
      return null; // GCM's only failure here is a tag mismatch; the caller says which one
    }
  }
}

export interface SegmentPosition {
  readonly index: number;
  /** Byte offset of the segment in the file. */
  readonly fileOffset: number;
  /** Nothing follows this segment: it must be the last-flagged one. */
  readonly final: boolean;
  /** Bytes in the file after this segment, when known (random access); null in a stream. */
  readonly bytesAfter: number | null;
}

/**
 * Decrypts one segment at its place in the file, or throws a CiphertextError saying what is
 * wrong. The failure path tries the other flag and the neighbouring segment numbers, so a
 * cut, an append and a swap are told apart from modified bytes.
 */
export function authenticateSegment(decryptor: SegmentDecryptor, ciphertext: Buffer, position: SegmentPosition): Buffer {
  const { index, fileOffset, final } = position;
  const fail = (reason: ConstructorParameters<typeof CiphertextError>[0]['reason'], message: string, offset = fileOffset) =>
    new CiphertextError({ reason, segment: index, offset }, message);
  if (ciphertext.length < TAG_SIZE) {
    throw fail('truncated', `the file ends inside this segment (${ciphertext.length} bytes, fewer than its ${TAG_SIZE}-byte tag)`);
  }
  const plaintext = decryptor.tryDecrypt(index, ciphertext, final);
  if (plaintext !== null) return plaintext;

  const fullLength = segmentPlacement(decryptor.geometry, index).fullLength;
  if (!final && decryptor.tryDecrypt(index, ciphertext, true) !== null) {
    const after = position.bytesAfter === null ? 'more bytes follow it' : `${position.bytesAfter} more bytes follow it`;
    throw fail('appended', `this segment is flagged last, but ${after}`, fileOffset + ciphertext.length);
  }
  if (final && ciphertext.length === fullLength && decryptor.tryDecrypt(index, ciphertext, false) !== null) {
    throw fail('truncated', 'the file ends after this segment, which is not the last one: the rest of the recording is missing',
      fileOffset + ciphertext.length);
  }
  const lastLength = findShorterLastSegment(decryptor, ciphertext, index);
  if (lastLength !== null) {
    const following = ciphertext.length - lastLength;
    const after = position.bytesAfter === null && !final ? `at least ${following} more bytes follow it` : `${following + (position.bytesAfter ?? 0)} more bytes follow it`;
    throw fail('appended', `the first ${lastLength} bytes here are the segment flagged last, but ${after}`, fileOffset + lastLength);
  }
  const misplaced = findMisplacedSegment(decryptor, ciphertext, index);
  if (misplaced !== null) {
    throw fail('reordered', `this position holds the data of segment ${misplaced.index}${misplaced.last ? ' (the last one)' : ''}: segments were swapped, dropped or duplicated`);
  }
  if (final && ciphertext.length < fullLength) {
    throw fail('truncated_or_modified', `the final segment (${ciphertext.length} of at most ${fullLength} bytes) does not authenticate: the file was cut inside it, bytes were appended to it, or its bytes were modified`);
  }
  const envelopeHint = index === 0 ? ' (or the envelope was modified)' : '';
  throw fail('tag_mismatch', `authentication tag mismatch: the segment's bytes were modified${envelopeHint}`);
}

function findShorterLastSegment(decryptor: SegmentDecryptor, ciphertext: Buffer, index: number): number | null {
  const longest = decryptor.geometry.ciphertextSegmentSize <= APPEND_SEARCH_MAX_SEGMENT ? ciphertext.length - 1 : TAG_SIZE;
  for (let length = TAG_SIZE; length <= longest && length < ciphertext.length; length += 1) {
    if (decryptor.tryDecrypt(index, ciphertext.subarray(0, length), true) !== null) return length;
  }
  return null;
}

function findMisplacedSegment(decryptor: SegmentDecryptor, ciphertext: Buffer, index: number): { index: number; last: boolean } | null {
  for (let distance = 1; distance <= MISPLACEMENT_WINDOW; distance += 1) {
    for (const candidate of [index - distance, index + distance]) {
      for (const last of [false, true]) {
        if (decryptor.tryDecrypt(candidate, ciphertext, last) !== null) return { index: candidate, last };
      }
    }
  }
  return null;
}
