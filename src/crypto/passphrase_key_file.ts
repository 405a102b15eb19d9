import { randomBytes } from 'node:crypto';
import { ModuleError } from '../errors/codes.js';
import { keyId } from './key_id.js';
import { acceptableScrypt, deriveScrypt, KEY_FILE_SCRYPT, PassphraseRequired, wrongPassphrase, type ScryptParams } from './passphrase_kdf.js';
import { KEY_SIZE } from './tink_format.js';

/** What the file's `type` says; a key file starting with `{` is read as this format. */
export const PASSPHRASE_KEY_TYPE = 'cameras-usb2 passphrase key';
const SALT_SIZE = 16;

/**
 * A passphrase key file: how to derive the key, never the key.
 * key = scrypt(UTF-8(NFC(passphrase)), salt, N, r, p, 32 bytes); key_id = the key's public id
 * (key_id.ts), which tells a wrong passphrase from a damaged recording.
 */
export interface PassphraseKeyFile {
  readonly type: typeof PASSPHRASE_KEY_TYPE;
  readonly version: 1;
  readonly kdf: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** 16 random bytes, hex. */
  readonly salt: string;
  /** keyId(key), hex. */
  readonly key_id: string;
}

/** A file's text is of this format (the hex key files never start with a brace). */
export function isPassphraseKeyText(text: string): boolean {
  return text.trimStart().startsWith('{');
}

/** The text of a new passphrase key file (a fresh salt) and the key id it describes. */
export function newPassphraseKeyText(passphrase: string, params: ScryptParams = KEY_FILE_SCRYPT): { text: string; keyId: string } {
  const salt = randomBytes(SALT_SIZE);
  const id = keyId(deriveScrypt(passphrase, salt, params, KEY_SIZE)).toString('hex');
  const file: PassphraseKeyFile = {
    type: PASSPHRASE_KEY_TYPE, version: 1, kdf: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('hex'), key_id: id,
  };
  return { text: `${JSON.stringify(file, null, 2)}\n`, keyId: id };
}

/**
 * The key a passphrase key file describes. Throws PassphraseRequired without a passphrase,
 * and "wrong passphrase" when the derived key is not the one the file names.
 */
export function derivePassphraseKey(text: string, path: string, field: string, passphrase: string | undefined): Buffer {
  const file = parsePassphraseKeyFile(text, path, field);
  if (passphrase === undefined) throw new PassphraseRequired(path, field);
  const key = deriveScrypt(passphrase, Buffer.from(file.salt, 'hex'), file, KEY_SIZE);
  if (keyId(key).toString('hex') !== file.key_id) throw wrongPassphrase(path, field);
  return key;
}

function parsePassphraseKeyFile(text: string, path: string, field: string): PassphraseKeyFile {
  const invalid = (why: string) => new ModuleError('INVALID_PARAMS', `key file ${path} is not a usable passphrase key file: ${why}`, { field });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('not a JSON object');
  const o = parsed as Record<string, unknown>;
  const expected = ['type', 'version', 'kdf', 'N', 'r', 'p', 'salt', 'key_id'];
  const extra = Object.keys(o).filter((k) => !expected.includes(k));
  if (extra.length > 0) throw invalid(`unknown field ${extra[0]}`);
  if (o['type'] !== PASSPHRASE_KEY_TYPE) throw invalid(`type is not "${PASSPHRASE_KEY_TYPE}"`);
  if (o['version'] !== 1) throw invalid('version is not 1 (made by a newer cameras-usb2?)');
  if (o['kdf'] !== 'scrypt') throw invalid('kdf is not "scrypt"');
  const params = { N: o['N'], r: o['r'], p: o['p'] };
  if (![params.N, params.r, params.p].every((n) => typeof n === 'number') || !acceptableScrypt(params as ScryptParams)) {
    throw invalid('scrypt N, r, p out of range (N a power of two from 2^14 to 2^20, r ≤ 32, p ≤ 16, at most 256 MiB)');
  }
  if (typeof o['salt'] !== 'string' || !/^(?:[0-9a-f]{2}){16,64}$/.test(o['salt'])) throw invalid('salt is not 16 to 64 bytes of lowercase hex');
  if (typeof o['key_id'] !== 'string' || !/^[0-9a-f]{16}$/.test(o['key_id'])) throw invalid('key_id is not 16 lowercase hex digits');
  return o as unknown as PassphraseKeyFile;
}
