import { scryptSync } from 'node:crypto';
import { ModuleError, type ModuleErrorOptions } from '../errors/codes.js';

/** scrypt's cost parameters (RFC 7914): N CPU/memory cost (a power of two), r block size, p parallelization. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * For passphrase key files: 32 MiB and about 0.1–0.2 s on a desktop core, well under a second on a
 * Raspberry Pi 4, where serve derives the key once at start (docs/encryption-passphrases.md).
 */
export const KEY_FILE_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

/**
 * For encrypted PKCS#8 private keys: the same work as KEY_FILE_SCRYPT in 16 MiB, because
 * OpenSSL (`openssl pkey`, and Node reading the PEM) refuses scrypt needing 32 MiB or more.
 */
export const PRIVATE_KEY_SCRYPT: ScryptParams = { N: 2 ** 14, r: 8, p: 2 };

/** The least accepted from a file: weaker parameters would make guessing a passphrase cheap. */
const MIN_N = 2 ** 14;
/** The most accepted from a file, so a crafted one cannot make the start take minutes or all memory. */
const MAX_N = 2 ** 20;
const MAX_MEMORY = 256 * 1024 * 1024;

/** keygen refuses shorter passphrases; reading never does (the file says what was chosen). */
export const MIN_PASSPHRASE_LENGTH = 8;

/** Where a passphrase may come from, named in errors (never the value). */
export const PASSPHRASE_VARIABLE = 'CAMERAS_USB2_PASSPHRASE';

/**
 * A key that needs a passphrase was given none. Callers that can ask for one (a terminal, a
 * --passphrase-file given later) catch this and try again with it; everyone else reports it.
 */
export class PassphraseRequired extends ModuleError {
  constructor(readonly keyPath: string, field: string) {
    super('INVALID_PARAMS',
      `${keyPath} is protected by a passphrase: give --passphrase-file FILE, set ${PASSPHRASE_VARIABLE}, or run the command in a terminal to be asked`,
      { field, data: { path: keyPath, reason: 'passphrase_required' } });
  }
}

/** The passphrase does not open the key file. Never quotes the passphrase. */
export function wrongPassphrase(keyPath: string, field: string, options: ModuleErrorOptions = {}): ModuleError {
  return new ModuleError('INVALID_PARAMS', `wrong passphrase for ${keyPath}`, { ...options, field, data: { path: keyPath, reason: 'wrong_passphrase' } });
}

/** The bytes scrypt is given: UTF-8 of the passphrase in Unicode NFC, so a typed and a filed "é" agree. */
export function passphraseBytes(passphrase: string): Buffer {
  return Buffer.from(passphrase.normalize('NFC'), 'utf8');
}

/** True for parameters this module accepts from a file; false names nothing (the caller says which file). */
export function acceptableScrypt(params: ScryptParams): boolean {
  const { N, r, p } = params;
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 1;
  return whole(N) && whole(r) && whole(p) && (N & (N - 1)) === 0 && N >= MIN_N && N <= MAX_N && r <= 32 && p <= 16
    && scryptMemory(params) <= MAX_MEMORY;
}

function scryptMemory({ N, r, p }: ScryptParams): number {
  return 128 * r * (N + p + 2);
}

/** scrypt(passphrase, salt) → `length` bytes. Synchronous: it runs once, at start-up, before anything records. */
export function deriveScrypt(passphrase: string, salt: Buffer, params: ScryptParams, length: number): Buffer {
  return scryptSync(passphraseBytes(passphrase), salt, length, { ...params, maxmem: scryptMemory(params) + (1 << 20) });
}
