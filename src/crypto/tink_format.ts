import { hkdfSync } from 'node:crypto';
import { ModuleError } from '../errors/codes.js';

/**
 * Tink's AES-GCM-HKDF Streaming AEAD, AES-256 variant with HKDF-SHA256, as Tink specifies it
 * (https://developers.google.com/tink/streaming-aead/aes_gcm_hkdf_streaming): the numbers
 * and layouts here are the wire format, so any Tink implementation given the same
 * parameters reads what this module writes.
 */

/** AES-GCM tag appended to every segment. */
export const TAG_SIZE = 16;
/** Random per-file prefix of every segment nonce. */
export const NONCE_PREFIX_SIZE = 7;
/** Input key, HKDF salt and derived AES-256 key all have this size in Tink's AES256 variant. */
export const KEY_SIZE = 32;
/** Tink header: 1 byte header length ‖ salt ‖ nonce prefix. */
export const HEADER_SIZE = 1 + KEY_SIZE + NONCE_PREFIX_SIZE;
/** Segment numbers are 32-bit in the nonce; one more segment would repeat a nonce. */
export const MAX_SEGMENTS = 2 ** 32;
/**
 * Tink requires segment 0 to hold the header, a tag and at least one plaintext byte; the
 * upper bound keeps a writer's buffer (one segment) reasonable.
 */
export const MIN_SEGMENT_SIZE = HEADER_SIZE + TAG_SIZE + 1;
export const MAX_SEGMENT_SIZE = 64 * 1024 * 1024;

/** Where the segments of one Tink ciphertext lie (offsets relative to the start of the Tink header). */
export interface SegmentGeometry {
  readonly ciphertextSegmentSize: number;
  /** Plaintext bytes in every full segment but the first. */
  readonly plaintextSegmentSize: number;
  /** Segment 0 is shorter by the header (Tink's ciphertextOffset is 0 here). */
  readonly firstPlaintextSegmentSize: number;
}

export function segmentGeometry(ciphertextSegmentSize: number): SegmentGeometry {
  if (!Number.isInteger(ciphertextSegmentSize) || ciphertextSegmentSize < MIN_SEGMENT_SIZE || ciphertextSegmentSize > MAX_SEGMENT_SIZE) {
    throw new ModuleError('INVALID_PARAMS', `ciphertext segment size must be an integer from ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE} (got ${ciphertextSegmentSize})`, {
      field: 'ciphertext_segment_size',
    });
  }
  return {
    ciphertextSegmentSize,
    plaintextSegmentSize: ciphertextSegmentSize - TAG_SIZE,
    firstPlaintextSegmentSize: ciphertextSegmentSize - HEADER_SIZE - TAG_SIZE,
  };
}

/** Offset of segment `index` from the start of the Tink header, and its full ciphertext length. */
export function segmentPlacement(geometry: SegmentGeometry, index: number): { start: number; fullLength: number } {
  const size = geometry.ciphertextSegmentSize;
  return index === 0 ? { start: HEADER_SIZE, fullLength: size - HEADER_SIZE } : { start: index * size, fullLength: size };
}

/** Nonce of one segment: prefix ‖ segment number (uint32 big-endian) ‖ 0x01 for the last segment, else 0x00. */
export function segmentNonce(noncePrefix: Buffer, index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(NONCE_PREFIX_SIZE + 5);
  noncePrefix.copy(nonce, 0, 0, NONCE_PREFIX_SIZE);
  nonce.writeUInt32BE(index, NONCE_PREFIX_SIZE);
  nonce[NONCE_PREFIX_SIZE + 4] = last ? 1 : 0;
  return nonce;
}

/** The per-file AES key: HKDF-SHA256(ikm = key, salt = the header's salt, info = associated data). */
export function deriveSegmentKey(inputKey: Buffer, salt: Buffer, associatedData: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', inputKey, salt, associatedData, KEY_SIZE));
}

export function buildHeader(salt: Buffer, noncePrefix: Buffer): Buffer {
  return Buffer.concat([Buffer.from([HEADER_SIZE]), salt, noncePrefix]);
}

/** Salt and nonce prefix of a Tink header, or null when its length byte is not this variant's. */
export function parseHeader(header: Buffer): { salt: Buffer; noncePrefix: Buffer } | null {
  if (header.length < HEADER_SIZE || header[0] !== HEADER_SIZE) return null;
  return {
    salt: Buffer.from(header.subarray(1, 1 + KEY_SIZE)),
    noncePrefix: Buffer.from(header.subarray(1 + KEY_SIZE, HEADER_SIZE)),
  };
}
