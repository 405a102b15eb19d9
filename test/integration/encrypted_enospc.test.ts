import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MatroskaWriter } from '../../src/storage/mkv/matroska_writer.js';
import { fileSinksFor } from '../../src/storage/sinks/file_sinks.js';
import { createNewFile } from '../../src/storage/name_reserver.js';
import type { ModuleError } from '../../src/errors/codes.js';
import { probeFile } from '../helpers/ffprobe.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small_volume.js';
import { decryptBuffer, newSymmetricKey } from '../unit/crypto/crypto_fixtures.js';

describe('disk full while recording encrypted, on a real (tmpfs) volume (integration)', () => {
  let volume: SmallVolume | undefined;

  before(async function () {
    const mounted = await mountSmallVolume(0.5);
    if ('skipped' in mounted) {
      console.log(`      skipped: ${mounted.skipped}`);
      this.skip();
    }
    volume = mounted;
  });

  after(async () => {
    await volume?.unmount();
  });

  it('stops with ENCODER_FAILED "disk full"; the frames it counted are exactly the ones in the written segments', async () => {
    const key = newSymmetricKey();
    const sinks = fileSinksFor({ enabled: true, key, source: { field: 'encryption.key_file', path: 'k', keyId: '00' }, segmentSizes: { media: 16384, text: 2048 } });
    const target = path.join(volume!.dir, 'full.mkv.enc');
    const file = await sinks.open(target, (await createNewFile(target))!, 'video');
    const writer = await MatroskaWriter.open({ path: target, width: 320, height: 240, fps: 30, queueMaxFrames: 1000, openFile: async () => file });
    const errors: ModuleError[] = [];
    let committed = 0;
    writer.on('error', (error) => errors.push(error));
    writer.on('committed', (count) => { committed = count; });
    for (const frame of buildFrames(await makeJpegFrames(30), regularTimestamps(200, 1000 / 30))) {
      writer.write(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const summary = await writer.close();
    expect(errors).to.have.length(1);
    expect(errors[0]!.kind).to.equal('ENCODER_FAILED');
    expect(errors[0]!.message).to.match(/disk full/i);
    expect(summary.frames).to.equal(committed);
    expect(summary.frames).to.be.within(10, 199);
    // The file reads as cut by a crash; its complete segments hold every counted frame.
    const { plaintext, summary: read } = decryptBuffer(key, readFileSync(target), { allowTruncated: true });
    expect(read.truncation).to.not.equal(null);
    const plain = path.join(os.tmpdir(), `enc-enospc-${process.pid}.mkv`);
    await writeFile(plain, plaintext);
    const probe = await probeFile(plain);
    expect(probe.packets.length).to.be.within(summary.frames, summary.frames + 1);
  });
});
