import { expect } from 'chai';
import { ENVELOPE_FIXED_SIZE } from '../../../src/crypto/envelope.js';
import { HEADER_SIZE, TAG_SIZE, segmentGeometry } from '../../../src/crypto/tink_format.js';
import { StreamingEncryptor } from '../../../src/crypto/streaming_encryptor.js';
import { decryptBuffer, encryptToBuffer, newSymmetricKey, patternedBytes } from './crypto_fixtures.js';

describe('crypto: streaming AEAD round trips', () => {
  const key = newSymmetricKey();
  const segment = 128;
  const { firstPlaintextSegmentSize: first, plaintextSegmentSize: full } = segmentGeometry(segment);

  const sizes = [0, 1, first - 1, first, first + 1, first + full - 1, first + full, first + full + 1, first + 5 * full + 17, 10_000];
  for (const size of sizes) {
    it(`${size} bytes come back unchanged, whatever the write and read chunking`, () => {
      const plaintext = patternedBytes(size, `rt${size}`);
      for (const chunk of [1, 7, full, full + 3, Math.max(1, size)]) {
        const file = encryptToBuffer(key, plaintext, segment, chunk);
        for (const feed of [1, 13, segment, segment + 1, file.length]) {
          const { plaintext: back, summary } = decryptBuffer(key, file, {}, feed);
          expect(back.equals(plaintext), `chunk ${chunk}, feed ${feed}`).to.equal(true);
          expect(summary.plaintextBytes).to.equal(size);
          expect(summary.truncation).to.equal(null);
          expect(summary.fileBytes).to.equal(file.length);
        }
      }
    });
  }

  it('lays segments out as Tink does: header inside segment 0, every segment but the last full', () => {
    const plaintext = patternedBytes(first + 2 * full + 10);
    const file = encryptToBuffer(key, plaintext, segment);
    const tink = file.length - ENVELOPE_FIXED_SIZE;
    // segment 0 (header + first), two full, then 10 bytes + tag
    expect(tink).to.equal(3 * segment + 10 + TAG_SIZE);
    expect(file[ENVELOPE_FIXED_SIZE]).to.equal(HEADER_SIZE);
  });

  it('emits a full segment at once, and an empty last segment when the data ended on the boundary', () => {
    const sealedKey = Buffer.alloc(32, 7);
    const encryptor = new StreamingEncryptor(sealedKey, { ciphertextSegmentSize: segment, associatedData: Buffer.alloc(0) });
    expect(encryptor.update(patternedBytes(first - 1))).to.have.length(0);
    const emitted = encryptor.update(patternedBytes(1));
    expect(encryptor.segmentsEmitted).to.equal(1);
    expect(emitted.reduce((sum, piece) => sum + piece.length, 0)).to.equal(segment - HEADER_SIZE);
    expect(encryptor.finish().reduce((sum, piece) => sum + piece.length, 0)).to.equal(TAG_SIZE);
    expect(() => encryptor.update(Buffer.alloc(1))).to.throw(/already finished/);
  });

  it('uses a fresh salt and nonce prefix for every file', () => {
    const plaintext = patternedBytes(500);
    const a = encryptToBuffer(key, plaintext, segment);
    const b = encryptToBuffer(key, plaintext, segment);
    expect(a.subarray(ENVELOPE_FIXED_SIZE, ENVELOPE_FIXED_SIZE + HEADER_SIZE).equals(b.subarray(ENVELOPE_FIXED_SIZE, ENVELOPE_FIXED_SIZE + HEADER_SIZE))).to.equal(false);
    expect(a.subarray(ENVELOPE_FIXED_SIZE + HEADER_SIZE).equals(b.subarray(ENVELOPE_FIXED_SIZE + HEADER_SIZE))).to.equal(false);
  });

  it('retract takes back only bytes that were never encrypted', () => {
    const encryptor = new StreamingEncryptor(Buffer.alloc(32, 1), { ciphertextSegmentSize: segment, associatedData: Buffer.alloc(0) });
    encryptor.update(patternedBytes(first + 5));
    expect(encryptor.retract(6)).to.equal(false);
    expect(encryptor.retract(5)).to.equal(true);
    expect(encryptor.bufferedBytes).to.equal(0);
  });

  it('refuses segment sizes Tink does not allow', () => {
    expect(() => segmentGeometry(HEADER_SIZE + TAG_SIZE)).to.throw(/segment size/);
    expect(() => segmentGeometry(1.5e3 + 0.5)).to.throw(/segment size/);
    expect(segmentGeometry(HEADER_SIZE + TAG_SIZE + 1).firstPlaintextSegmentSize).to.equal(1);
  });
});
