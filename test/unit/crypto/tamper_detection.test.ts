import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CiphertextError, type CiphertextFailure } from '../../../src/crypto/ciphertext_error.js';
import { EncryptedFileReader } from '../../../src/crypto/encrypted_file_reader.js';
import { ENVELOPE_FIXED_SIZE } from '../../../src/crypto/envelope.js';
import { HEADER_SIZE, TAG_SIZE, segmentGeometry } from '../../../src/crypto/tink_format.js';
import type { DecryptOptions } from '../../../src/crypto/streaming_decryptor.js';
import type { DecryptionKey } from '../../../src/crypto/file_keys.js';
import { decryptBuffer, encryptToBuffer, newSymmetricKey, patternedBytes } from './crypto_fixtures.js';

const SEGMENT = 128;
const { firstPlaintextSegmentSize: FIRST, plaintextSegmentSize: FULL } = segmentGeometry(SEGMENT);
/** Segments 0..4 full, segment 5 holds 30 bytes. */
const PLAINTEXT = patternedBytes(FIRST + 4 * FULL + 30, 'tamper');
const TINK = ENVELOPE_FIXED_SIZE;
/** File offset of segment i (symmetric mode: the envelope is 24 bytes). */
const segmentStart = (i: number) => (i === 0 ? TINK + HEADER_SIZE : TINK + i * SEGMENT);
const segmentEnd = (i: number) => TINK + (i + 1) * SEGMENT;

function failure(key: DecryptionKey, file: Buffer, options: DecryptOptions = {}, feed = 50): CiphertextError {
  try {
    decryptBuffer(key, file, options, feed);
  } catch (err) {
    if (err instanceof CiphertextError) return err;
    throw err;
  }
  throw new Error('decryption succeeded');
}

function expectFailure(error: CiphertextError, reason: CiphertextFailure, segment: number | null, offset: number): void {
  expect({ reason: error.reason, segment: error.segment, offset: error.offset }, error.message).to.deep.equal({ reason, segment, offset });
  expect(error.code).to.equal(-1002);
}

describe('crypto: tampering, truncation and wrong keys are detected and explained', () => {
  const key = newSymmetricKey();
  const file = encryptToBuffer(key, PLAINTEXT, SEGMENT, 33);

  it('the fixture has the layout the offsets below assume', () => {
    expect(file.length).to.equal(segmentEnd(4) + 30 + TAG_SIZE);
    expect(decryptBuffer(key, file).plaintext.equals(PLAINTEXT)).to.equal(true);
  });

  for (let i = 0; i <= 4; i += 1) {
    it(`a flipped bit in segment ${i} is a tag mismatch of that segment at its offset`, () => {
      const bad = Buffer.from(file);
      bad[segmentStart(i) + 3] ^= 0x10;
      expectFailure(failure(key, bad), 'tag_mismatch', i, segmentStart(i));
    });
  }

  it('a flipped bit in the final segment cannot be told from a cut inside it', () => {
    const bad = Buffer.from(file);
    bad[segmentStart(5) + 3] ^= 0x01;
    expectFailure(failure(key, bad), 'truncated_or_modified', 5, segmentStart(5));
  });

  it('a flipped bit in the Tink header (salt) or in the envelope fails segment 0', () => {
    for (const at of [TINK + 5, 12 /* segment size stays legal */]) {
      const bad = Buffer.from(file);
      bad[at] ^= 0x01;
      const error = failure(key, bad);
      expect(error.segment, error.message).to.equal(0);
      expect(error.reason).to.be.oneOf(['tag_mismatch', 'truncated_or_modified']);
    }
  });

  it('a changed magic, version or key id is reported as such', () => {
    const notOurs = Buffer.from(file);
    notOurs[0] ^= 0x20;
    expectFailure(failure(key, notOurs), 'not_encrypted', null, 0);
    const version = Buffer.from(file);
    version[8] = 9;
    expectFailure(failure(key, version), 'bad_envelope', null, 0);
    const keyId = Buffer.from(file);
    keyId[16] ^= 0x01;
    expectFailure(failure(key, keyId), 'wrong_key', null, 14);
  });

  it('a wrong key is named as such before any segment is tried', () => {
    const error = failure(newSymmetricKey(), file);
    expectFailure(error, 'wrong_key', null, 14);
    expect(error.message).to.match(/another key/);
  });

  it('swapped segments are found out of place', () => {
    const bad = Buffer.from(file);
    file.copy(bad, segmentStart(1), segmentStart(2), segmentEnd(2));
    file.copy(bad, segmentStart(2), segmentStart(1), segmentEnd(1));
    const error = failure(key, bad);
    expectFailure(error, 'reordered', 1, segmentStart(1));
    expect(error.message).to.match(/data of segment 2/);
  });

  it('a dropped segment is found: its successor sits in its place', () => {
    const bad = Buffer.concat([file.subarray(0, segmentStart(2)), file.subarray(segmentEnd(2))]);
    const error = failure(key, bad);
    expectFailure(error, 'reordered', 2, segmentStart(2));
    expect(error.message).to.match(/data of segment 3/);
  });

  for (let i = 0; i <= 4; i += 1) {
    it(`a cut right after segment ${i} is a truncation; --allow-truncated recovers every complete segment`, () => {
      const cut = file.subarray(0, segmentEnd(i));
      expectFailure(failure(key, cut), 'truncated', i, segmentEnd(i));
      const { plaintext, summary } = decryptBuffer(key, cut, { allowTruncated: true }, 61);
      const complete = FIRST + i * FULL;
      expect(plaintext.equals(PLAINTEXT.subarray(0, complete))).to.equal(true);
      expect(summary.truncation).to.include({ reason: 'truncated', segment: i + 1, droppedBytes: 0 });
      expect(summary.segments).to.equal(i + 1);
    });
  }

  for (let i = 0; i <= 5; i += 1) {
    it(`a cut inside segment ${i} is reported there; --allow-truncated keeps the segments before it`, () => {
      for (const into of [1, TAG_SIZE - 1, TAG_SIZE + 5]) {
        const cut = file.subarray(0, segmentStart(i) + into);
        const error = failure(key, cut);
        expect(error.segment, error.message).to.equal(i);
        expect(error.offset).to.equal(segmentStart(i));
        expect(error.reason).to.equal(into < TAG_SIZE ? 'truncated' : 'truncated_or_modified');
        const { plaintext, summary } = decryptBuffer(key, cut, { allowTruncated: true });
        expect(plaintext.equals(PLAINTEXT.subarray(0, i === 0 ? 0 : FIRST + (i - 1) * FULL))).to.equal(true);
        expect(summary.truncation).to.include({ segment: i, droppedBytes: into });
      }
    });
  }

  it('a cut inside the envelope or the Tink header is a truncation, even with --allow-truncated', () => {
    for (const length of [0, 5, ENVELOPE_FIXED_SIZE - 1, ENVELOPE_FIXED_SIZE + 10]) {
      const error = failure(key, file.subarray(0, length), { allowTruncated: true });
      expect(error.reason, `${length} bytes`).to.equal('truncated');
    }
  });

  it('bytes appended after an empty last segment (data ended on a boundary) are named as appended', () => {
    const exact = encryptToBuffer(key, PLAINTEXT.subarray(0, FIRST + FULL), SEGMENT);
    expect(exact.length).to.equal(segmentEnd(1) + TAG_SIZE); // the last segment is only a tag
    for (const extra of [5, SEGMENT + 7]) {
      const error = failure(key, Buffer.concat([exact, Buffer.alloc(extra, 0xaa)]));
      expectFailure(error, 'appended', 2, segmentEnd(1) + TAG_SIZE);
      expect(error.message).to.match(/flagged last/);
    }
  });

  it('bytes appended to a short last segment are found where they begin (small segments)', () => {
    for (const extra of [1, 40, SEGMENT]) {
      const error = failure(key, Buffer.concat([file, Buffer.alloc(extra, 0x55)]));
      expectFailure(error, 'appended', 5, file.length);
      expect(error.message).to.match(/flagged last/);
    }
  });

  it('with large segments, bytes appended to a short last segment still fail it', () => {
    const big = 64 * 1024;
    const bigFile = encryptToBuffer(key, patternedBytes(big), big);
    const error = failure(key, Buffer.concat([bigFile, Buffer.from('extra')]), {}, 8192);
    expect(error.reason).to.equal('truncated_or_modified');
    expect(error.segment).to.equal(1);
  });

  describe('random access', () => {
    let dir: string;
    before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-crypto-')); });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const save = (name: string, bytes: Buffer): string => {
      const target = path.join(dir, name);
      fs.writeFileSync(target, bytes);
      return target;
    };

    it('reads any segment on its own, in any order', async () => {
      const reader = await EncryptedFileReader.open(save('whole.enc', file), key);
      try {
        expect(reader.segmentCount).to.equal(6);
        expect(reader.plaintextBytes).to.equal(PLAINTEXT.length);
        for (const i of [3, 0, 5, 1, 4, 2]) {
          const start = reader.plaintextOffset(i);
          const expected = PLAINTEXT.subarray(start, Math.min(PLAINTEXT.length, start + (i === 0 ? FIRST : FULL)));
          expect((await reader.readSegment(i)).equals(expected), `segment ${i}`).to.equal(true);
        }
      } finally {
        await reader.close();
      }
    });

    it('a truncated file still serves its inner segments, and names the cut at the end', async () => {
      const reader = await EncryptedFileReader.open(save('cut.enc', file.subarray(0, segmentEnd(3))), key);
      try {
        expect((await reader.readSegment(1)).length).to.equal(FULL);
        const error = await reader.readSegment(3).then(() => null, (err: unknown) => err);
        expect(error).to.be.instanceOf(CiphertextError);
        expectFailure(error as CiphertextError, 'truncated', 3, segmentEnd(3));
      } finally {
        await reader.close();
      }
    });

    it('names a tampered segment by its number and offset', async () => {
      const bad = Buffer.from(file);
      bad[segmentStart(2) + 40] ^= 4;
      const reader = await EncryptedFileReader.open(save('bad.enc', bad), key);
      try {
        const error = await reader.readSegment(2).then(() => null, (err: unknown) => err);
        expectFailure(error as CiphertextError, 'tag_mismatch', 2, segmentStart(2));
        expect((await reader.readSegment(3)).length).to.equal(FULL);
      } finally {
        await reader.close();
      }
    });
  });
});
