import { createDecipheriv, hkdfSync, type CipherGCMTypes } from 'node:crypto';
import { expect } from 'chai';
import { NONCE_PREFIX_SIZE, TAG_SIZE, segmentNonce } from '../../../src/crypto/tink_format.js';

/**
 * Tink's published AES-GCM-HKDF Streaming test vector (its cross-language "manually created"
 * vector, also in Tink C++'s streaming AEAD test vectors). It uses AES-128 with HKDF-SHA1 and
 * 64-byte segments where the module uses AES-256 with HKDF-SHA256 and larger segments, so it
 * checks what both share and what interoperability hangs on: the header layout (length ‖
 * salt ‖ nonce prefix), the first segment shortened by the header, the segment nonce built
 * by segmentNonce (prefix ‖ big-endian segment number ‖ last-segment byte), the key derived
 * by HKDF with the associated data as info, and the tag at the end of every segment.
 */
const VECTOR = {
  ikm: '6eb56cdc726dfbe5d57f2fcdc6e9345b',
  derivedKeyBytes: 16,
  hkdfHash: 'sha1',
  ciphertextSegmentBytes: 64,
  associatedData: 'aad',
  plaintext: 'This is a fairly long plaintext. It is of the exact length to create three output blocks. ',
  header: '18' + '93b3af5e14ab378d065addfc8484da64' + '2c0862877baea8',
  segments: [
    'db92d9c77406a406168478821c4298eab3e6d531277f4c1a051714faebcaefcbca7b7be05e9445ea',
    'a0bb2904153398a25084dd80ae0edcd1c3079fcea2cd3770630ee36f7539207b8ec9d754956d486b71cdf989f0ed6fba6779b63558be0a66e668df14e1603cd2',
    'af8944844078345286d0b292e772e7190775c51a0f83e40c0b75821027e7e538e111',
  ],
} as const;

function openSegment(key: Buffer, nonce: Buffer, segment: Buffer): Buffer {
  const decipher = createDecipheriv(`aes-${key.length * 8}-gcm` as CipherGCMTypes, key, nonce);
  decipher.setAuthTag(segment.subarray(segment.length - TAG_SIZE));
  return Buffer.concat([decipher.update(segment.subarray(0, segment.length - TAG_SIZE)), decipher.final()]);
}

describe("crypto: Tink's published AES-GCM-HKDF Streaming test vector", () => {
  const header = Buffer.from(VECTOR.header, 'hex');
  const segments = VECTOR.segments.map((hex) => Buffer.from(hex, 'hex'));
  const salt = header.subarray(1, 1 + VECTOR.derivedKeyBytes);
  const prefix = header.subarray(1 + VECTOR.derivedKeyBytes);
  const key = Buffer.from(hkdfSync(VECTOR.hkdfHash, Buffer.from(VECTOR.ikm, 'hex'), salt, Buffer.from(VECTOR.associatedData), VECTOR.derivedKeyBytes));

  it('has the layout the format describes: header length byte, first segment shorter by the header, last one short', () => {
    expect(header[0]).to.equal(header.length);
    expect(prefix.length).to.equal(NONCE_PREFIX_SIZE);
    expect(segments[0]?.length).to.equal(VECTOR.ciphertextSegmentBytes - header.length);
    expect(segments[1]?.length).to.equal(VECTOR.ciphertextSegmentBytes);
    expect(segments[2]?.length).to.be.lessThan(VECTOR.ciphertextSegmentBytes);
  });

  it('decrypts with the nonces segmentNonce builds, and only with them', () => {
    const plain = segments.map((segment, i) => openSegment(key, segmentNonce(prefix, i, i === segments.length - 1), segment));
    expect(Buffer.concat(plain).toString()).to.equal(VECTOR.plaintext);
    // The last-segment byte is authenticated: the last segment opened as a middle one fails, and vice versa.
    expect(() => openSegment(key, segmentNonce(prefix, 2, false), segments[2] as Buffer)).to.throw();
    expect(() => openSegment(key, segmentNonce(prefix, 1, true), segments[1] as Buffer)).to.throw();
    // So is the segment number: segments swapped do not open.
    expect(() => openSegment(key, segmentNonce(prefix, 0, false), segments[1] as Buffer)).to.throw();
  });
});
