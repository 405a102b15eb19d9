import { createCipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { deriveScrypt, PRIVATE_KEY_SCRYPT, type ScryptParams } from './passphrase_kdf.js';

/*
 * Node exports encrypted PKCS#8 only with OpenSSL's default PBKDF2 (2048 iterations), far
 * too cheap to guess against. This writes the same standard container with scrypt instead:
 * EncryptedPrivateKeyInfo (RFC 5208) under PBES2 (RFC 8018) with the scrypt KDF (RFC 7914
 * §7) and AES-256-CBC — what `openssl pkcs8 -topk8 -scrypt` makes, and what OpenSSL and
 * Node read back with the passphrase.
 */

const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_SCRYPT = '1.3.6.1.4.1.11591.4.11';
const OID_AES_256_CBC = '2.16.840.1.101.3.4.1.42';
const SALT_SIZE = 16;
const AES_KEY_SIZE = 32;
const IV_SIZE = 16;

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const octets = (bytes: Buffer): Buffer => tlv(0x04, bytes);

function integer(value: number): Buffer {
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  if (bytes.length === 0 || (bytes[0] as number) >= 0x80) bytes.unshift(0); // DER: non-negative, minimal
  return tlv(0x02, Buffer.from(bytes));
}

function objectId(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let n = arc; ; n = Math.floor(n / 128)) {
      groups.unshift((n % 128) | (groups.length > 0 ? 0x80 : 0));
      if (n < 128) break;
    }
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** The private key as `-----BEGIN ENCRYPTED PRIVATE KEY-----` PEM, protected by the passphrase. */
export function encryptedPkcs8Pem(privateKey: KeyObject, passphrase: string, params: ScryptParams = PRIVATE_KEY_SCRYPT): string {
  const salt = randomBytes(SALT_SIZE);
  const iv = randomBytes(IV_SIZE);
  const key = deriveScrypt(passphrase, salt, params, AES_KEY_SIZE);
  const cipher = createCipheriv('aes-256-cbc', key, iv); // PKCS#7 padding, as PBES2 prescribes
  const plain = privateKey.export({ type: 'pkcs8', format: 'der' });
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  key.fill(0);
  const der = sequence(
    sequence(
      objectId(OID_PBES2),
      sequence(
        sequence(objectId(OID_SCRYPT), sequence(octets(salt), integer(params.N), integer(params.r), integer(params.p), integer(AES_KEY_SIZE))),
        sequence(objectId(OID_AES_256_CBC), octets(iv)),
      ),
    ),
    octets(encrypted),
  );
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${lines.join('\n')}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
}
