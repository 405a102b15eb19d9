import { createHash, randomBytes } from 'node:crypto';
import { sealFileKey, type DecryptionKey, type EncryptionKey } from '../../../src/crypto/file_keys.js';
import { StreamingDecryptor, type DecryptOptions, type DecryptSummary } from '../../../src/crypto/streaming_decryptor.js';
import { StreamingEncryptor } from '../../../src/crypto/streaming_encryptor.js';
import type { SymmetricKey } from '../../../src/crypto/symmetric_key.js';

export function newSymmetricKey(): SymmetricKey {
  return { kind: 'symmetric', key: randomBytes(32) };
}

/** n bytes that differ at every offset (a counter run through SHA-256), so misplaced bytes show. */
export function patternedBytes(n: number, seed = 'seed'): Buffer {
  const out = Buffer.alloc(n);
  let filled = 0;
  for (let block = 0; filled < n; block += 1) {
    const digest = createHash('sha256').update(`${seed}:${block}`).digest();
    filled += digest.copy(out, filled);
  }
  return out;
}

/** A whole encrypted file (envelope, header, segments) in memory, fed to the encryptor in `chunk`-byte pieces. */
export function encryptToBuffer(key: EncryptionKey, plaintext: Buffer, ciphertextSegmentSize: number, chunk = plaintext.length || 1): Buffer {
  const sealed = sealFileKey(key, ciphertextSegmentSize);
  const encryptor = new StreamingEncryptor(sealed.inputKey, { ciphertextSegmentSize, associatedData: sealed.envelope });
  const parts = [sealed.envelope, encryptor.header];
  for (let at = 0; at < plaintext.length; at += chunk) parts.push(...encryptor.update(plaintext.subarray(at, at + chunk)));
  parts.push(...encryptor.finish());
  return Buffer.concat(parts);
}

export interface Decrypted {
  readonly plaintext: Buffer;
  readonly summary: DecryptSummary;
}

/** Decrypts a whole file held in memory, fed in `feed`-byte pieces. */
export function decryptBuffer(key: DecryptionKey, file: Buffer, options: DecryptOptions = {}, feed = 4096): Decrypted {
  const decryptor = new StreamingDecryptor(key, options);
  const parts: Buffer[] = [];
  for (let at = 0; at < file.length; at += feed) parts.push(...decryptor.update(file.subarray(at, at + feed)));
  parts.push(...decryptor.finish());
  return { plaintext: Buffer.concat(parts), summary: decryptor.summary };
}
