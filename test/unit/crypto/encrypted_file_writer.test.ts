import fs from 'node:fs';
import os from 'node:os';
import { once } from 'node:events';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'chai';
import { EncryptedFileWriter } from '../../../src/crypto/encrypted_file_writer.js';
import { EncryptingWritable } from '../../../src/crypto/encrypting_writable.js';
import { ENVELOPE_FIXED_SIZE } from '../../../src/crypto/envelope.js';
import { HEADER_SIZE, segmentGeometry } from '../../../src/crypto/tink_format.js';
import { ModuleError } from '../../../src/errors/codes.js';
import { decryptBuffer, newSymmetricKey, patternedBytes } from './crypto_fixtures.js';

describe('crypto: EncryptedFileWriter', () => {
  const key = newSymmetricKey();
  const SEGMENT = 256;
  const { firstPlaintextSegmentSize: FIRST, plaintextSegmentSize: FULL } = segmentGeometry(SEGMENT);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-writer-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes each segment once it is full, append-only, and the closed file decrypts', async () => {
    const file = path.join(dir, 'v.enc');
    const writer = await EncryptedFileWriter.create(file, { kind: 'video', key, ciphertextSegmentSize: SEGMENT });
    expect(fs.statSync(file).size).to.equal(ENVELOPE_FIXED_SIZE + HEADER_SIZE);
    const plaintext = patternedBytes(FIRST + 3 * FULL + 99);
    let previous = fs.readFileSync(file);
    for (let at = 0; at < plaintext.length; at += 37) {
      await writer.write(plaintext.subarray(at, at + 37));
      const now = fs.readFileSync(file);
      expect(now.length).to.equal(writer.bytesWritten);
      expect(now.subarray(0, previous.length).equals(previous), 'earlier bytes never change').to.equal(true);
      const accepted = Math.min(at + 37, plaintext.length);
      const committed = accepted < FIRST ? 0 : FIRST + Math.floor((accepted - FIRST) / FULL) * FULL;
      expect(writer.plaintextBytesCommitted, `after ${accepted} bytes`).to.equal(committed);
      expect(writer.bufferedBytes).to.equal(accepted - committed);
      previous = now;
    }
    await writer.close();
    const { plaintext: back, summary } = decryptBuffer(key, fs.readFileSync(file));
    expect(back.equals(plaintext)).to.equal(true);
    expect(summary.segments).to.equal(5);
    await writer.write(Buffer.from('late')).then(() => expect.fail('write after close'), (err: unknown) => {
      expect(err).to.be.instanceOf(ModuleError).and.include({ kind: 'INVALID_STATE' });
    });
  });

  it('never opens an existing file', async () => {
    const file = path.join(dir, 'taken.enc');
    fs.writeFileSync(file, 'precious');
    const error = await EncryptedFileWriter.create(file, { kind: 'timing', key }).then(() => null, (err: unknown) => err);
    expect(error).to.be.instanceOf(ModuleError).and.include({ kind: 'STORAGE_UNAVAILABLE' });
    expect(fs.readFileSync(file, 'utf8')).to.equal('precious');
  });

  it('picks the segment size from the file kind: 1 MiB for video, 2 KiB for timing rows', async () => {
    const sizes: Record<string, number> = {};
    for (const kind of ['video', 'timing', 'metadata', 'segment'] as const) {
      const file = path.join(dir, `${kind}.enc`);
      const writer = await EncryptedFileWriter.create(file, { kind, key });
      await writer.close();
      sizes[kind] = fs.readFileSync(file).readUInt32BE(10);
    }
    expect(sizes).to.deep.equal({ video: 1048576, timing: 2048, metadata: 2048, segment: 1048576 });
  });

  it('a file left without close (a crash) loses only the segment being filled', async () => {
    const file = path.join(dir, 'crash.enc');
    const writer = await EncryptedFileWriter.create(file, { kind: 'video', key, ciphertextSegmentSize: SEGMENT });
    const plaintext = patternedBytes(FIRST + 2 * FULL + 50);
    await writer.write(plaintext);
    const committed = writer.plaintextBytesCommitted;
    await writer.abandon();
    const bytes = fs.readFileSync(file);
    expect(() => decryptBuffer(key, bytes)).to.throw(/truncated/);
    const { plaintext: recovered, summary } = decryptBuffer(key, bytes, { allowTruncated: true });
    expect(recovered.equals(plaintext.subarray(0, committed))).to.equal(true);
    expect(plaintext.length - recovered.length).to.equal(50);
    expect(summary.truncation).to.include({ reason: 'truncated', droppedBytes: 0 });
  });

  it('takes back bytes only while they are still buffered', async () => {
    const file = path.join(dir, 'retract.enc');
    const writer = await EncryptedFileWriter.create(file, { kind: 'timing', key, ciphertextSegmentSize: SEGMENT });
    await writer.write(Buffer.from('row 1\n'));
    await writer.write(Buffer.from('row 2\n'));
    expect(writer.retractBuffered(6)).to.equal(true);
    await writer.write(patternedBytes(FIRST));
    expect(writer.retractBuffered(FIRST)).to.equal(false);
    await writer.close();
    const { plaintext } = decryptBuffer(key, fs.readFileSync(file));
    expect(plaintext.subarray(0, 6).toString()).to.equal('row 1\n');
    expect(plaintext.length).to.equal(6 + FIRST);
  });

  it('takes a piped stream with backpressure; end() completes the file', async () => {
    const file = path.join(dir, 'piped.enc');
    const writer = await EncryptedFileWriter.create(file, { kind: 'video', key, ciphertextSegmentSize: SEGMENT });
    const plaintext = patternedBytes(20_000);
    const chunks = [3, 500, 1, 4096, 77];
    let at = 0;
    const source = Readable.from((function* () {
      for (let i = 0; at < plaintext.length; i += 1) {
        const size = chunks[i % chunks.length] as number;
        yield plaintext.subarray(at, at + size);
        at += size;
      }
    })());
    await pipeline(source, new EncryptingWritable(writer));
    expect(decryptBuffer(key, fs.readFileSync(file)).plaintext.equals(plaintext)).to.equal(true);
  });

  it('a source that fails mid-stream leaves a file that reads as truncated, never as complete', async () => {
    const file = path.join(dir, 'failed.enc');
    const writer = await EncryptedFileWriter.create(file, { kind: 'video', key, ciphertextSegmentSize: SEGMENT });
    const writable = new EncryptingWritable(writer);
    await new Promise<void>((resolve, reject) => writable.write(patternedBytes(FIRST + FULL + 10), (err) => (err ? reject(err) : resolve())));
    writable.destroy(new Error('ffmpeg died'));
    const [error] = (await once(writable, 'error')) as [Error];
    expect(error.message).to.equal('ffmpeg died');
    if (!writable.closed) await once(writable, 'close');
    const bytes = fs.readFileSync(file);
    expect(() => decryptBuffer(key, bytes)).to.throw(/truncated/);
    expect(decryptBuffer(key, bytes, { allowTruncated: true }).plaintext.length).to.equal(FIRST + FULL);
  });
});
