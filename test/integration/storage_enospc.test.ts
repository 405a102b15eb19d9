import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileSinksFor } from '../../src/storage/sinks/file_sinks.js';
import { createNewFile } from '../../src/storage/name_reserver.js';
import { decryptBuffer, newSymmetricKey } from '../unit/crypto/crypto_fixtures.js';
import { MatroskaWriter } from '../../src/storage/mkv/matroska_writer.js';
import type { ModuleError } from '../../src/errors/codes.js';
import { decodeErrors, probeFile } from '../helpers/ffprobe.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small_volume.js';

/** Feeds 200 frames of 320x240 (far more than the volume holds) and closes: what the writer says happened. */
async function fillTheDisk(writer: MatroskaWriter): Promise<{ errors: ModuleError[]; committed: number; frames: number }> {
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
  return { errors, committed, frames: summary.frames };
}

describe('disk full on a real (tmpfs) volume (integration)', () => {
  let volume: SmallVolume | undefined;

  // Each test fills its own volume.
  beforeEach(async function () {
    const mounted = await mountSmallVolume(0.5);
    if ('skipped' in mounted) {
      console.log(`      skipped: ${mounted.skipped}; the in-memory ENOSPC unit test still runs`);
      this.skip();
    }
    volume = mounted;
  });

  afterEach(async () => {
    await volume?.unmount();
    volume = undefined;
  });

  it('stops with ENCODER_FAILED "disk full" and leaves a valid file of whole frames', async () => {
    const file = path.join(volume!.dir, 'full.mkv');
    const { frames } = await fillTheDisk(await MatroskaWriter.open({ path: file, width: 320, height: 240, fps: 30, queueMaxFrames: 1000 }));
    const probe = await probeFile(file);
    expect(probe.packets).to.have.length(frames);
    expect(await decodeErrors(file)).to.equal('');
  });

  it('encrypted: the same stop, and the frames it counted are exactly the ones in the written segments', async () => {
    const key = newSymmetricKey();
    const sinks = fileSinksFor({ enabled: true, key, source: { field: 'encryption.key_file', path: 'k', keyId: '00' }, segmentSizes: { media: 16384, text: 2048 } });
    const target = path.join(volume!.dir, 'full.mkv.enc');
    const file = await sinks.open(target, (await createNewFile(target))!, 'video');
    const { frames } = await fillTheDisk(await MatroskaWriter.open({ path: target, width: 320, height: 240, fps: 30, queueMaxFrames: 1000, openFile: async () => file }));
    // The file reads as cut by a crash; its complete segments hold every counted frame.
    const { plaintext, summary: read } = decryptBuffer(key, readFileSync(target), { allowTruncated: true });
    expect(read.truncation).to.not.equal(null);
    const plain = path.join(os.tmpdir(), `enc-enospc-${process.pid}.mkv`);
    await writeFile(plain, plaintext);
    const probe = await probeFile(plain);
    expect(probe.packets.length).to.be.within(frames, frames + 1);
  });
});
