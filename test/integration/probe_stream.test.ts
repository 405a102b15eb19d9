import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EncryptedFileWriter } from '../../src/crypto/encrypted_file_writer.js';
import { decryptingStream } from '../../src/verify/decrypt_files.js';
import { probeVideo, probeVideoStream } from '../../src/verify/ffprobe_packets.js';
import { locatedTools, runToolOk } from '../helpers/run_tool.js';
import { newSymmetricKey } from '../unit/crypto/crypto_fixtures.js';

describe('probing an encrypted video as it is decrypted (no plaintext file)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-probe-stream-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the same packets as probing the plaintext file, and fails on a segment that does not authenticate', async () => {
    const plain = path.join(dir, 'clip.mkv');
    await runToolOk('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=15', '-t', '2', '-c:v', 'mjpeg', plain]);
    const key = newSymmetricKey();
    const encrypted = path.join(dir, 'clip.mkv.enc');
    const writer = await EncryptedFileWriter.create(encrypted, { kind: 'video', key, ciphertextSegmentSize: 4096 });
    await writer.write(fs.readFileSync(plain));
    await writer.close();
    const { ffprobe } = await locatedTools();

    const fromFile = await probeVideo(ffprobe, plain);
    const fromStream = await probeVideoStream(ffprobe, decryptingStream(encrypted, key), encrypted);
    expect(fromStream).to.deep.equal(fromFile);
    expect(fromStream.pts.length).to.equal(30);

    const bytes = fs.readFileSync(encrypted);
    bytes[Math.floor(bytes.length / 2)] ^= 1;
    const tampered = path.join(dir, 'tampered.mkv.enc');
    fs.writeFileSync(tampered, bytes);
    let failure: Error | null = null;
    await probeVideoStream(ffprobe, decryptingStream(tampered, key), tampered).catch((err: Error) => { failure = err; });
    expect(String(failure)).to.include(tampered).and.match(/segment \d+/);
  });
});
