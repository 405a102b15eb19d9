import { createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import { ModuleError } from '../errors/codes.js';
import { KEY_SIZE, TAG_SIZE } from './tink_format.js';
import { publicKeyFromRaw, rawPublicKey, type IdentityKey, type RecipientKey } from './x25519_keys.js';

/**
 * The content key of a file sealed to an X25519 recipient (key mode 2). The key block is
 *   ephemeral public key (32) ‖ nonce (12) ‖ AES-256-GCM(content key) (32) ‖ tag (16)
 * with wrap key = HKDF-SHA256(ikm = X25519(ephemeral, recipient), salt = ephemeral public ‖
 * recipient public, info = WRAP_INFO, 32 bytes) and the envelope's fixed 24 bytes as
 * associated data. A fresh ephemeral key per file: the recorder keeps no secret that
 * decrypts what it wrote.
 */
export const WRAP_INFO = Buffer.from('cameras-usb2 x25519 content key v1', 'ascii');
const WRAP_NONCE_SIZE = 12;
export const WRAPPED_KEY_BLOCK_SIZE = KEY_SIZE + WRAP_NONCE_SIZE + KEY_SIZE + TAG_SIZE;

export function wrapContentKey(contentKey: Buffer, recipient: RecipientKey, associatedData: Buffer): Buffer {
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublic = rawPublicKey(ephemeral.publicKey);
  const wrapKey = deriveWrapKey(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient.publicKey }), ephemeralPublic, rawPublicKey(recipient.publicKey));
  const nonce = randomBytes(WRAP_NONCE_SIZE);
  const cipher = createCipheriv('aes-256-gcm', wrapKey, nonce).setAAD(associatedData);
  const sealed = Buffer.concat([cipher.update(contentKey), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([ephemeralPublic, nonce, sealed]);
}

/** The content key, or null when this identity cannot open the block (another recipient, or modified). */
export function unwrapContentKey(keyBlock: Buffer, identity: IdentityKey, associatedData: Buffer): Buffer | null {
  if (keyBlock.length !== WRAPPED_KEY_BLOCK_SIZE) return null;
  const ephemeralPublic = keyBlock.subarray(0, KEY_SIZE);
  const nonce = keyBlock.subarray(KEY_SIZE, KEY_SIZE + WRAP_NONCE_SIZE);
  const sealed = keyBlock.subarray(KEY_SIZE + WRAP_NONCE_SIZE, KEY_SIZE + WRAP_NONCE_SIZE + KEY_SIZE);
  const tag = keyBlock.subarray(KEY_SIZE + WRAP_NONCE_SIZE + KEY_SIZE);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: identity.privateKey, publicKey: publicKeyFromRaw(Buffer.from(ephemeralPublic)) });
  } catch {
    return null; // a low-order point planted as ephemeral key: OpenSSL refuses the all-zero secret
  }
  const wrapKey = deriveWrapKey(shared, ephemeralPublic, rawPublicKey(identity.publicKey));
  const decipher = createDecipheriv('aes-256-gcm', wrapKey, nonce).setAAD(associatedData);
  decipher.setAuthTag(tag);
  const opened = decipher.update(sealed);
  try {
    return Buffer.concat([opened, decipher.final()]);
  } catch {
    return null;
  }
}

function deriveWrapKey(shared: Buffer, ephemeralPublic: Buffer, recipientPublic: Buffer): Buffer {
  if (shared.every((byte) => byte === 0)) {
    throw new ModuleError('INVALID_PARAMS', 'X25519 produced the all-zero secret: a low-order public key', { field: 'recipient_public_key' });
  }
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralPublic, recipientPublic]), WRAP_INFO, KEY_SIZE));
}
