import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EncryptedFileWriter } from '../../../src/crypto/encrypted_file_writer.js';
import { GrowingEncryptedReader } from '../../../src/crypto/growing_file_reader.js';
import { CiphertextError } from '../../../src/crypto/ciphertext_error.js';
import { segmentGeometry } from '../../../src/crypto/tink_format.js';
import { newSymmetricKey, patternedBytes } from './crypto_fixtures.js';

describe('crypto: GrowingEncryptedReader (random access to a file still being written)', () => {
  const key = newSymmetricKey();
  const SEGMENT = 256;
  const { firstPlaintextSegmentSize: FIRST, plaintextSegmentSize: FULL } = segmentGeometry(SEGMENT);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-growing-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads exactly the written segments while the file grows, then all of it once closed', async () => {
    const file = path.join(dir, 'seg.mkv.enc');
    const plaintext = patternedBytes(FIRST + 4 * FULL + 77);
    const writer = await EncryptedFileWriter.create(file, { kind: 'segment', key, ciphertextSegmentSize: SEGMENT });
    const reader = await GrowingEncryptedReader.open(file, key);
    try {
      expect(await reader.readableBytes(), 'header only').to.equal(0);
      for (let at = 0; at < plaintext.length; at += 50) {
        await writer.write(plaintext.subarray(at, at + 50));
        const readable = await reader.readableBytes();
        expect(readable, `after ${at + 50} bytes`).to.equal(writer.plaintextBytesCommitted);
        if (readable > 0) {
          // A read across segment boundaries, ending where the readable part ends.
          const from = Math.max(0, readable - FULL - 13);
          const back = await reader.read(from, readable - from + 40);
          expect(back.equals(plaintext.subarray(from, readable)), `bytes ${from}..${readable}`).to.equal(true);
        }
      }
      await writer.close();
      expect(await reader.readableBytes()).to.equal(plaintext.length);
      expect((await reader.read(0, plaintext.length)).equals(plaintext)).to.equal(true);
      expect((await reader.read(FIRST + 2 * FULL - 5, 10)).equals(plaintext.subarray(FIRST + 2 * FULL - 5, FIRST + 2 * FULL + 5))).to.equal(true);
    } finally {
      await reader.close();
    }
  });

  it('reads a file cut by a crash up to its last complete segment', async () => {
    const file = path.join(dir, 'cut.enc');
    const plaintext = patternedBytes(FIRST + 3 * FULL + 30);
    const writer = await EncryptedFileWriter.create(file, { kind: 'timing', key, ciphertextSegmentSize: SEGMENT });
    await writer.write(plaintext);
    await writer.close();
    fs.truncateSync(file, fs.statSync(file).size - 20); // the last (short, final-flagged) segment is cut
    const reader = await GrowingEncryptedReader.open(file, key);
    try {
      expect(await reader.readableBytes()).to.equal(FIRST + 3 * FULL);
      expect((await reader.read(0, plaintext.length)).equals(plaintext.subarray(0, FIRST + 3 * FULL))).to.equal(true);
    } finally {
      await reader.close();
    }
  });

  it('fails with a CiphertextError on a modified inner segment instead of returning its bytes', async () => {
    const file = path.join(dir, 'bad.enc');
    const writer = await EncryptedFileWriter.create(file, { kind: 'segment', key, ciphertextSegmentSize: SEGMENT });
    await writer.write(patternedBytes(FIRST + 3 * FULL));
    await writer.close();
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - SEGMENT - 40]! ^= 0x01; // inside segment 2 of 4
    fs.writeFileSync(file, bytes);
    const reader = await GrowingEncryptedReader.open(file, key);
    try {
      expect((await reader.read(0, FIRST)).length).to.equal(FIRST);
      const failure = await reader.read(FIRST + FULL + 1, 10).then(() => null, (err: unknown) => err);
      expect(failure).to.be.instanceOf(CiphertextError);
    } finally {
      await reader.close();
    }
  });
});
