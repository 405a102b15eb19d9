import { CiphertextError } from './ciphertext_error.js';
import { WRAPPED_KEY_BLOCK_SIZE } from './key_wrap.js';
import { MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE } from './tink_format.js';

/**
 * The envelope in front of the Tink ciphertext: what Tink's format leaves out (segment size,
 * how the key is found). The whole envelope is Tink's associated data, so changing any of its
 * bytes makes segment 0 fail. Layout (docs/encryption.md, "File format"):
 *
 *   0   8  magic "CU2CRYPT"
 *   8   1  version (1)
 *   9   1  key mode: 1 = symmetric key file, 2 = X25519 recipient (wrapped content key)
 *   10  4  ciphertext segment size, uint32 big-endian
 *   14  8  key id (which key or recipient the file is for; not secret)
 *   22  2  key block length n, uint16 big-endian
 *   24  n  key block (empty for mode 1; for mode 2 see key_wrap.ts)
 */
export const ENVELOPE_MAGIC = Buffer.from('CU2CRYPT', 'ascii');
export const ENVELOPE_VERSION = 1;
/** Bytes before the key block. */
export const ENVELOPE_FIXED_SIZE = 24;
export const KEY_ID_SIZE = 8;

export const KEY_MODES = { symmetric: 1, x25519: 2 } as const;
export type KeyMode = keyof typeof KEY_MODES;
/** Key block length of each key mode; any other length is a malformed envelope. */
const KEY_BLOCK_SIZES: Readonly<Record<KeyMode, number>> = { symmetric: 0, x25519: WRAPPED_KEY_BLOCK_SIZE };

export interface Envelope {
  readonly keyMode: KeyMode;
  readonly ciphertextSegmentSize: number;
  readonly keyId: Buffer;
  readonly keyBlock: Buffer;
}

/** The fixed part with the key block length, so a reader knows how much more to read. */
export interface EnvelopePrefix extends Omit<Envelope, 'keyBlock'> {
  readonly keyBlockLength: number;
}

/** The fixed part of an envelope (it is also the associated data of the key wrap). */
export function encodeEnvelopePrefix(prefix: EnvelopePrefix): Buffer {
  const fixed = Buffer.alloc(ENVELOPE_FIXED_SIZE);
  ENVELOPE_MAGIC.copy(fixed, 0);
  fixed[8] = ENVELOPE_VERSION;
  fixed[9] = KEY_MODES[prefix.keyMode];
  fixed.writeUInt32BE(prefix.ciphertextSegmentSize, 10);
  prefix.keyId.copy(fixed, 14, 0, KEY_ID_SIZE);
  fixed.writeUInt16BE(prefix.keyBlockLength, 22);
  return fixed;
}

/** Parses the first ENVELOPE_FIXED_SIZE bytes of a file; throws a CiphertextError for anything else. */
export function parseEnvelopePrefix(bytes: Buffer): EnvelopePrefix {
  const bad = (reason: 'not_encrypted' | 'bad_envelope' | 'truncated', message: string) =>
    new CiphertextError({ reason, segment: null, offset: 0 }, message);
  if (bytes.length < ENVELOPE_MAGIC.length || !bytes.subarray(0, ENVELOPE_MAGIC.length).equals(ENVELOPE_MAGIC)) {
    if (bytes.length < ENVELOPE_MAGIC.length && ENVELOPE_MAGIC.subarray(0, bytes.length).equals(bytes)) {
      throw bad('truncated', `the file ends inside the envelope (${bytes.length} bytes)`);
    }
    throw bad('not_encrypted', 'no "CU2CRYPT" envelope: not a file encrypted by cameras-usb2');
  }
  if (bytes.length < ENVELOPE_FIXED_SIZE) throw bad('truncated', `the file ends inside the envelope (${bytes.length} bytes)`);
  if (bytes[8] !== ENVELOPE_VERSION) throw bad('bad_envelope', `envelope version ${bytes[8]} is not supported (this build reads version ${ENVELOPE_VERSION})`);
  const mode = (Object.keys(KEY_MODES) as KeyMode[]).find((name) => KEY_MODES[name] === bytes[9]);
  if (mode === undefined) throw bad('bad_envelope', `unknown key mode ${bytes[9]}`);
  const ciphertextSegmentSize = bytes.readUInt32BE(10);
  if (ciphertextSegmentSize < MIN_SEGMENT_SIZE || ciphertextSegmentSize > MAX_SEGMENT_SIZE) {
    throw bad('bad_envelope', `segment size ${ciphertextSegmentSize} is outside ${MIN_SEGMENT_SIZE}..${MAX_SEGMENT_SIZE}`);
  }
  const keyBlockLength = bytes.readUInt16BE(22);
  if (keyBlockLength !== KEY_BLOCK_SIZES[mode]) throw bad('bad_envelope', `key block of ${keyBlockLength} bytes; key mode ${mode} has ${KEY_BLOCK_SIZES[mode]}`);
  return { keyMode: mode, ciphertextSegmentSize, keyId: Buffer.from(bytes.subarray(14, 14 + KEY_ID_SIZE)), keyBlockLength };
}
