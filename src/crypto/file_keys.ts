import { randomBytes } from 'node:crypto';
import { CiphertextError } from './ciphertext_error.js';
import { ENVELOPE_FIXED_SIZE, encodeEnvelopePrefix, type EnvelopePrefix } from './envelope.js';
import { keyId } from './key_id.js';
import { unwrapContentKey, wrapContentKey, WRAPPED_KEY_BLOCK_SIZE } from './key_wrap.js';
import type { SymmetricKey } from './symmetric_key.js';
import { KEY_SIZE } from './tink_format.js';
import { rawPublicKey, type IdentityKey, type RecipientKey } from './x25519_keys.js';

/** What a writer may hold: a shared key, or only a recipient's public key. */
export type EncryptionKey = SymmetricKey | RecipientKey;
/** What a reader needs: the shared key, or the recipient's private key. */
export type DecryptionKey = SymmetricKey | IdentityKey;

export interface SealedFileKey {
  /** The complete envelope; also Tink's associated data. */
  readonly envelope: Buffer;
  /** Tink's input key material for this file. */
  readonly inputKey: Buffer;
}

/** Envelope and input key for a new file; in recipient mode a fresh content key, wrapped. */
export function sealFileKey(key: EncryptionKey, ciphertextSegmentSize: number): SealedFileKey {
  if (key.kind === 'symmetric') {
    const prefix = encodeEnvelopePrefix({ keyMode: 'symmetric', ciphertextSegmentSize, keyId: keyId(key.key), keyBlockLength: 0 });
    return { envelope: prefix, inputKey: key.key };
  }
  const contentKey = randomBytes(KEY_SIZE);
  const prefix = encodeEnvelopePrefix({
    keyMode: 'x25519', ciphertextSegmentSize, keyId: keyId(rawPublicKey(key.publicKey)), keyBlockLength: WRAPPED_KEY_BLOCK_SIZE,
  });
  return { envelope: Buffer.concat([prefix, wrapContentKey(contentKey, key, prefix)]), inputKey: contentKey };
}

/** Tink's input key of a file, given its parsed envelope; throws wrong_key for another key or recipient. */
export function openFileKey(prefix: EnvelopePrefix, envelope: Buffer, key: DecryptionKey): Buffer {
  const wrongKey = (message: string) => new CiphertextError({ reason: 'wrong_key', segment: null, offset: 14 }, message);
  const fixed = envelope.subarray(0, ENVELOPE_FIXED_SIZE);
  if (key.kind === 'symmetric') {
    if (prefix.keyMode !== 'symmetric') throw wrongKey('the file is encrypted for an X25519 recipient: use --identity with its private key');
    if (!keyId(key.key).equals(prefix.keyId)) throw wrongKey(`the file was encrypted with another key (key id ${prefix.keyId.toString('hex')}, this key ${keyId(key.key).toString('hex')})`);
    return key.key;
  }
  if (prefix.keyMode !== 'x25519') throw wrongKey('the file is encrypted with a symmetric key: use --key-file');
  const ours = keyId(rawPublicKey(key.publicKey));
  if (!ours.equals(prefix.keyId)) throw wrongKey(`the file is for another recipient (key id ${prefix.keyId.toString('hex')}, this identity ${ours.toString('hex')})`);
  const contentKey = unwrapContentKey(envelope.subarray(ENVELOPE_FIXED_SIZE), key, fixed);
  if (contentKey === null) {
    throw new CiphertextError({ reason: 'tag_mismatch', segment: null, offset: ENVELOPE_FIXED_SIZE }, 'the wrapped content key does not authenticate: the envelope was modified');
  }
  return contentKey;
}
