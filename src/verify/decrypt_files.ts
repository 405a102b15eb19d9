import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DecryptingTransform } from '../crypto/decrypting_transform.js';
import type { DecryptionKey } from '../crypto/file_keys.js';
import type { DecryptSummary } from '../crypto/streaming_decryptor.js';

export interface DecryptFileOptions {
  /** Accept a file a crash cut short: its complete segments (never unauthenticated bytes). */
  readonly allowTruncated?: boolean;
}

/** Authenticates every segment of `input` (what `cameras-usb2 verify` does); throws CiphertextError on failure. */
export async function verifyEncryptedFile(input: string, key: DecryptionKey, options: DecryptFileOptions = {}): Promise<DecryptSummary> {
  const decrypting = new DecryptingTransform(key, { allowTruncated: options.allowTruncated === true });
  await pipeline(createReadStream(input), decrypting, new Writable({ write: (_chunk, _encoding, done) => done() }));
  return decrypting.summary as DecryptSummary;
}

/**
 * Decrypts `input` into `output` (created exclusively, mode 0600: patient data again), as
 * `cameras-usb2 decrypt` does; a failing input leaves no output behind.
 */
export async function decryptFileTo(input: string, output: string, key: DecryptionKey, options: DecryptFileOptions = {}): Promise<DecryptSummary> {
  const decrypting = new DecryptingTransform(key, { allowTruncated: options.allowTruncated === true });
  try {
    await pipeline(createReadStream(input), decrypting, createWriteStream(output, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    await rm(output, { force: true }).catch(() => undefined); // the decryption error is the one worth reporting
    throw err;
  }
  return decrypting.summary as DecryptSummary;
}

/** Where `<dir>/<name>.enc` goes when decrypted into `into`: `<into>/<name>`. */
export function decryptedPath(encrypted: string, into: string): string {
  return path.join(into, path.basename(encrypted).replace(/\.enc$/, ''));
}
