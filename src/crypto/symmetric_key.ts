import { randomBytes } from 'node:crypto';
import { ModuleError } from '../errors/codes.js';
import { readSecretFile, SECRET_FILE_MODE, writeNewFile } from './key_files.js';
import { KEY_SIZE } from './tink_format.js';
import { derivePassphraseKey, isPassphraseKeyText, newPassphraseKeyText } from './passphrase_key_file.js';

/** A 256-bit key that both encrypts and decrypts (Tink's input key material). */
export interface SymmetricKey {
  readonly kind: 'symmetric';
  readonly key: Buffer;
}

/** Key file: the 32 key bytes as 64 hex digits and a newline (`xxd -r -p` gives the raw key). */
const KEY_FILE_PATTERN = /^[0-9a-fA-F]{64}$/;

/** Writes a fresh random key to a new file of mode 0600. */
export function generateKeyFile(path: string): void {
  writeNewFile(path, `${randomBytes(KEY_SIZE).toString('hex')}\n`, SECRET_FILE_MODE, 'key file');
}

/**
 * Writes a new passphrase key file (mode 0600): scrypt's parameters and salt, never the key.
 * Returns the key id.
 */
export function generatePassphraseKeyFile(path: string, passphrase: string): string {
  const made = newPassphraseKeyText(passphrase);
  writeNewFile(path, made.text, SECRET_FILE_MODE, 'key file');
  return made.keyId;
}

/**
 * Loads a key file: 64 hex digits, or a passphrase key file (the key derived from
 * `passphrase`; PassphraseRequired without one). Refuses one readable by group/others or of
 * the wrong shape, never echoing its content.
 */
export function loadKeyFile(path: string, field = 'key_file', passphrase?: string): SymmetricKey {
  const raw = readSecretFile(path, field, 'key file');
  if (isPassphraseKeyText(raw)) return { kind: 'symmetric', key: derivePassphraseKey(raw, path, field, passphrase) };
  const text = raw.trim();
  if (!KEY_FILE_PATTERN.test(text)) {
    throw new ModuleError('INVALID_PARAMS', `key file ${path} does not hold a key: expected ${KEY_SIZE * 2} hex digits (made by 'cameras-usb2 keygen')`, { field });
  }
  return { kind: 'symmetric', key: Buffer.from(text, 'hex') };
}
