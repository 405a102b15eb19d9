import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ModuleError } from '../errors/codes.js';
import { encryptedPkcs8Pem } from './encrypted_pkcs8.js';
import { readPublicFile, readSecretFile, SECRET_FILE_MODE, writeNewFile } from './key_files.js';
import { PassphraseRequired, passphraseBytes, wrongPassphrase } from './passphrase_kdf.js';

/** Who may read a recording: the writer holds only this public key. */
export interface RecipientKey {
  readonly kind: 'recipient';
  readonly publicKey: KeyObject;
}

/** The private half, needed only where recordings are read. */
export interface IdentityKey {
  readonly kind: 'identity';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export const PUBLIC_KEY_SUFFIX = '.pub';

/**
 * Writes a new X25519 key pair: `path` (PKCS#8 PEM, mode 0600; encrypted PKCS#8 when a
 * passphrase is given) and `path.pub` (SPKI PEM, 0644). Standard PEM, so `openssl pkey`
 * reads both. Returns the public key file's path.
 */
export function generateIdentityFiles(path: string, passphrase?: string): string {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const publicPath = `${path}${PUBLIC_KEY_SUFFIX}`;
  // The public file first: if it exists already nothing is written and no private key is left without its .pub.
  writeNewFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644, 'public key file');
  const pem = passphrase === undefined ? privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() : encryptedPkcs8Pem(privateKey, passphrase);
  writeNewFile(path, pem, SECRET_FILE_MODE, 'private key file');
  return publicPath;
}

/** Loads a private key; an encrypted one needs `passphrase` (PassphraseRequired without it). */
export function loadIdentityFile(path: string, field = 'identity', passphrase?: string): IdentityKey {
  const pem = readSecretFile(path, field, 'private key file');
  const encrypted = pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  if (encrypted && passphrase === undefined) throw new PassphraseRequired(path, field);
  let privateKey: KeyObject;
  try {
    privateKey = encrypted ? createPrivateKey({ key: pem, format: 'pem', passphrase: passphraseBytes(passphrase as string) }) : createPrivateKey(pem);
  } catch (err) {
    // AES-CBC under the wrong key fails its padding check, or (rarely) decodes to no key at all.
    if (encrypted) throw wrongPassphrase(path, field, { cause: err });
    throw new ModuleError('INVALID_PARAMS', `private key file ${path} does not hold a PEM private key`, { field, cause: err });
  }
  requireX25519(privateKey, path, field);
  return { kind: 'identity', privateKey, publicKey: createPublicKey(privateKey) };
}

export function loadRecipientFile(path: string, field = 'recipient_public_key'): RecipientKey {
  const pem = readPublicFile(path, field, 'public key file');
  if (pem.includes('PRIVATE KEY')) {
    throw new ModuleError('INVALID_PARAMS', `${path} is a private key; the recorder needs only the public key (${PUBLIC_KEY_SUFFIX} file)`, { field });
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch (err) {
    throw new ModuleError('INVALID_PARAMS', `public key file ${path} does not hold a PEM public key`, { field, cause: err });
  }
  requireX25519(publicKey, path, field);
  return { kind: 'recipient', publicKey };
}

/** The 32 raw bytes of an X25519 public key (RFC 7748 u-coordinate). */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new ModuleError('INVALID_PARAMS', 'not an X25519 public key', { field: 'public_key' });
  return Buffer.from(x, 'base64url');
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });
}

function requireX25519(key: KeyObject, path: string, field: string): void {
  if (key.asymmetricKeyType !== 'x25519') {
    throw new ModuleError('INVALID_PARAMS', `${path} holds a ${key.asymmetricKeyType ?? 'unknown'} key; an X25519 key is needed ('cameras-usb2 keygen --x25519')`, { field });
  }
}
