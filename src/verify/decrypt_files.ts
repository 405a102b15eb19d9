import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline as pipe, Writable, type Readable } from 'node:stream';
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

/**
 * The plaintext of `input` as a stream, decrypted as it is read and never written anywhere;
 * a segment that does not authenticate ends the stream with its CiphertextError.
 */
export function decryptingStream(input: string, key: DecryptionKey): Readable {
  return pipe(createReadStream(input), new DecryptingTransform(key, { allowTruncated: false }), () => undefined);
}

/** The whole plaintext of a small file (a timing CSV, metadata) in memory. */
export async function decryptToBuffer(input: string, key: DecryptionKey): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(createReadStream(input), new DecryptingTransform(key, { allowTruncated: false }), new Writable({
    write: (chunk: Buffer, _encoding, done) => { chunks.push(chunk); done(); },
  }));
  return Buffer.concat(chunks);
}

/** Where `<dir>/<name>.enc` goes when decrypted into `into`: `<into>/<name>`. */
export function decryptedPath(encrypted: string, into: string): string {
  return path.join(into, path.basename(encrypted).replace(/\.enc$/, ''));
}
