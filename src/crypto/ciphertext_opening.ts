import { CiphertextError } from './ciphertext_error.js';
import type { EnvelopePrefix } from './envelope.js';
import { openFileKey, type DecryptionKey } from './file_keys.js';
import { SegmentDecryptor } from './segment_authenticator.js';
import { HEADER_SIZE, parseHeader, segmentGeometry } from './tink_format.js';

/** A file's envelope and Tink header, checked and turned into a segment decryptor. */
export interface OpenedCiphertext {
  readonly prefix: EnvelopePrefix;
  /** Where the Tink ciphertext (its header) starts in the file: the envelope's length. */
  readonly tinkStart: number;
  readonly decryptor: SegmentDecryptor;
}

export function openCiphertext(prefix: EnvelopePrefix, envelope: Buffer, header: Buffer, key: DecryptionKey): OpenedCiphertext {
  const inputKey = openFileKey(prefix, envelope, key);
  const parsed = parseHeader(header);
  if (parsed === null) {
    throw new CiphertextError({ reason: 'bad_envelope', segment: null, offset: envelope.length },
      `the Tink header does not start with its length ${HEADER_SIZE} (AES-256 GCM-HKDF streaming)`);
  }
  const decryptor = new SegmentDecryptor(inputKey, envelope, parsed, segmentGeometry(prefix.ciphertextSegmentSize));
  return { prefix, tinkStart: envelope.length, decryptor };
}
