import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { CiphertextError } from '../../../src/crypto/ciphertext_error.js';
import { sealFileKey } from '../../../src/crypto/file_keys.js';
import { decryptBuffer, encryptToBuffer, newSymmetricKey, patternedBytes } from './crypto_fixtures.js';

/*
 * Tink's AES-GCM-HKDF streaming format written out again here from the published spec, with
 * nothing imported from src/crypto, so the module and this reading of the spec check each
 * other. AES256_GCM_HKDF: 32-byte key, salt and derived key; 7-byte nonce prefix; 16-byte tag.
 */
const TAG = 16;
const SALT = 32;
const PREFIX = 7;
const HEADER = 1 + SALT + PREFIX;

/** The cameras-usb2 envelope as docs/encryption.md documents it: 24 fixed bytes, then a key block of the length at 22..23. */
function splitEnvelope(file: Buffer): { envelope: Buffer; segmentSize: number; tink: Buffer } {
  expect(file.subarray(0, 8).toString('ascii')).to.equal('CU2CRYPT');
  const envelopeLength = 24 + file.readUInt16BE(22);
  return { envelope: file.subarray(0, envelopeLength), segmentSize: file.readUInt32BE(10), tink: file.subarray(envelopeLength) };
}

function nonce(prefix: Buffer, index: number, last: boolean): Buffer {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(index);
  return Buffer.concat([prefix, counter, Buffer.from([last ? 1 : 0])]);
}

function specDecrypt(ikm: Buffer, associatedData: Buffer, segmentSize: number, tink: Buffer): Buffer {
  expect(tink[0]).to.equal(HEADER);
  const salt = tink.subarray(1, 1 + SALT);
  const prefix = tink.subarray(1 + SALT, HEADER);
  const key = Buffer.from(hkdfSync('sha256', ikm, salt, associatedData, 32));
  const segments: Buffer[] = [];
  for (let start = 0; start < tink.length || segments.length === 0; start += segmentSize) {
    segments.push(tink.subarray(start === 0 ? HEADER : start, Math.min(start + segmentSize, tink.length)));
    if (start + segmentSize >= tink.length) break;
  }
  return Buffer.concat(segments.map((segment, index) => {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce(prefix, index, index === segments.length - 1));
    decipher.setAuthTag(segment.subarray(segment.length - TAG));
    return Buffer.concat([decipher.update(segment.subarray(0, segment.length - TAG)), decipher.final()]);
  }));
}

/** The encrypting side as Tink's Java stream does it: a full buffer becomes the last segment if nothing follows. */
function specEncrypt(ikm: Buffer, associatedData: Buffer, segmentSize: number, plaintext: Buffer): Buffer {
  const salt = randomBytes(SALT);
  const prefix = randomBytes(PREFIX);
  const key = Buffer.from(hkdfSync('sha256', ikm, salt, associatedData, 32));
  const parts = [Buffer.from([HEADER]), salt, prefix];
  const firstSize = segmentSize - HEADER - TAG;
  let at = 0;
  for (let index = 0; ; index += 1) {
    const size = index === 0 ? firstSize : segmentSize - TAG;
    const last = plaintext.length - at <= size;
    const cipher = createCipheriv('aes-256-gcm', key, nonce(prefix, index, last));
    parts.push(cipher.update(plaintext.subarray(at, at + size)), cipher.final(), cipher.getAuthTag());
    at += size;
    if (last) return Buffer.concat(parts);
  }
}

describe('crypto: Tink spec interoperability (independent implementation in this file)', () => {
  const key = newSymmetricKey();
  const segment = 200;
  const first = segment - HEADER - TAG;
  const full = segment - TAG;

  for (const size of [0, 1, first, first + 1, first + full, first + 3 * full - 1, 5000]) {
    it(`a spec-only decryptor reads what the module wrote (${size} bytes)`, () => {
      const plaintext = patternedBytes(size, `spec${size}`);
      const { envelope, segmentSize, tink } = splitEnvelope(encryptToBuffer(key, plaintext, segment, 37));
      expect(segmentSize).to.equal(segment);
      expect(specDecrypt(key.key, envelope, segmentSize, tink).equals(plaintext)).to.equal(true);
    });

    it(`the module reads what a spec-only encryptor wrote (${size} bytes, Tink's full last segment)`, () => {
      const plaintext = patternedBytes(size, `spec-in${size}`);
      const envelope = sealFileKey(key, segment).envelope;
      const file = Buffer.concat([envelope, specEncrypt(key.key, envelope, segment, plaintext)]);
      expect(decryptBuffer(key, file, {}, 64).plaintext.equals(plaintext)).to.equal(true);
    });
  }

  it('bytes appended after a full last segment (as Tink writes it) are named as appended', () => {
    const envelope = sealFileKey(key, segment).envelope;
    const file = Buffer.concat([envelope, specEncrypt(key.key, envelope, segment, patternedBytes(first + full))]);
    let error: unknown = null;
    try {
      decryptBuffer(key, Buffer.concat([file, Buffer.alloc(3)]));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(CiphertextError);
    expect(error).to.include({ reason: 'appended', segment: 1, offset: file.length });
  });

  it('public-key mode: the content key unwraps as docs/encryption.md documents it, then the spec decryptor reads the file', () => {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const plaintext = patternedBytes(1000, 'x25519');
    const file = encryptToBuffer({ kind: 'recipient', publicKey }, plaintext, segment, 64);
    const { envelope, tink } = splitEnvelope(file);
    expect(envelope[9]).to.equal(2);
    const block = envelope.subarray(24);
    expect(block.length).to.equal(92);
    const ephemeral = block.subarray(0, 32);
    const raw = (key: ReturnType<typeof createPublicKey>) => Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
    const ephemeralKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: ephemeral.toString('base64url') }, format: 'jwk' });
    const shared = diffieHellman({ privateKey, publicKey: ephemeralKey });
    const wrapKey = Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeral, raw(publicKey)]), Buffer.from('cameras-usb2 x25519 content key v1'), 32));
    const unwrap = createDecipheriv('aes-256-gcm', wrapKey, block.subarray(32, 44)).setAAD(envelope.subarray(0, 24));
    unwrap.setAuthTag(block.subarray(76, 92));
    const contentKey = Buffer.concat([unwrap.update(block.subarray(44, 76)), unwrap.final()]);
    expect(specDecrypt(contentKey, envelope, segment, tink).equals(plaintext)).to.equal(true);
  });

  it('the spec-only decryptor refuses the module output under other associated data (the envelope is bound)', () => {
    const { envelope, tink } = splitEnvelope(encryptToBuffer(key, patternedBytes(300), segment));
    const changed = Buffer.from(envelope);
    changed[13] ^= 1;
    expect(() => specDecrypt(key.key, changed, segment, tink)).to.throw(/authenticate/);
  });
});
