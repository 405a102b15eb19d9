import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'chai';
import { DecryptingTransform } from '../../src/crypto/decrypting_transform.js';
import { EncryptedFileWriter } from '../../src/crypto/encrypted_file_writer.js';
import { EncryptingWritable } from '../../src/crypto/encrypting_writable.js';
import { newSymmetricKey, patternedBytes } from '../unit/crypto/crypto_fixtures.js';

const TOTAL = 2 * 1024 ** 3;
const RSS_GROWTH_LIMIT = 64 * 1024 ** 2;
/** RSS after the first this-many bytes is the baseline (buffers and code are warm by then). */
const WARM_UP = 128 * 1024 ** 2;

/** TOTAL bytes in chunks of varying size (frame-like), each chunk stamped with its offset so misplaced data shows. */
function syntheticStream(hash: ReturnType<typeof createHash>, progress: (bytes: number) => void): Readable {
  const pattern = patternedBytes(1024 * 1024, 'large');
  const sizes = [65_536, 100_003, 7, 250_000, 31_337];
  let offset = 0;
  let turn = 0;
  return new Readable({
    read() {
      if (offset >= TOTAL) {
        this.push(null);
        return;
      }
      const size = Math.min(sizes[turn++ % sizes.length] as number, TOTAL - offset);
      const chunk = Buffer.allocUnsafe(size);
      for (let at = 0; at < size; at += pattern.length) pattern.copy(chunk, at, 0, Math.min(pattern.length, size - at));
      if (size >= 8) chunk.writeDoubleBE(offset, 0);
      hash.update(chunk);
      offset += size;
      progress(offset);
      this.push(chunk);
    },
  });
}

describe('encrypting and decrypting 2 GB through streams (integration)', function () {
  this.timeout(15 * 60_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-large-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps RSS flat both ways and returns every byte', async () => {
    const key = newSymmetricKey();
    const file = path.join(dir, 'large.enc');
    let baseline: number | null = null;
    let peak = 0;
    const sample = (bytes: number) => {
      if (bytes < WARM_UP) return;
      const rss = process.memoryUsage.rss();
      baseline ??= rss;
      peak = Math.max(peak, rss);
    };

    const written = createHash('sha256');
    const writer = await EncryptedFileWriter.create(file, { kind: 'video', key });
    await pipeline(syntheticStream(written, sample), new EncryptingWritable(writer));
    expect(writer.plaintextBytesCommitted).to.equal(TOTAL);

    const read = createHash('sha256');
    let decrypted = 0;
    const decrypting = new DecryptingTransform(key);
    await pipeline(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), decrypting, new Writable({
      write(chunk: Buffer, _encoding, done) {
        read.update(chunk);
        decrypted += chunk.length;
        sample(decrypted);
        done();
      },
    }));
    expect(decrypted).to.equal(TOTAL);
    expect(read.digest('hex')).to.equal(written.digest('hex'));
    expect(decrypting.summary?.segments).to.equal(Math.ceil((TOTAL + 40) / (1024 * 1024 - 16)) + (((TOTAL + 40) % (1024 * 1024 - 16)) === 0 ? 1 : 0));
    const growth = peak - (baseline ?? peak);
    expect(growth, `RSS grew ${(growth / 1024 ** 2).toFixed(1)} MB`).to.be.below(RSS_GROWTH_LIMIT);
  });
});
