import { expect } from 'chai';
import path from 'node:path';
import { MatroskaWriter } from '../../src/storage/mkv/matroska_writer.js';
import type { ModuleError } from '../../src/errors/codes.js';
import { decodeErrors, probeFile } from '../helpers/ffprobe.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small_volume.js';

describe('disk full on a real (tmpfs) volume (integration)', () => {
  let volume: SmallVolume | undefined;

  before(async function () {
    const mounted = await mountSmallVolume(0.5);
    if ('skipped' in mounted) {
      console.log(`      skipped: ${mounted.skipped}; the in-memory ENOSPC unit test still runs`);
      this.skip();
    }
    volume = mounted;
  });

  after(async () => {
    await volume?.unmount();
  });

  it('stops with ENCODER_FAILED "disk full" and leaves a valid file of whole frames', async () => {
    const file = path.join(volume!.dir, 'full.mkv');
    const writer = await MatroskaWriter.open({ path: file, width: 320, height: 240, fps: 30, queueMaxFrames: 1000 });
    const errors: ModuleError[] = [];
    let committed = 0;
    writer.on('error', (error) => errors.push(error));
    writer.on('committed', (count) => { committed = count; });
    const jpegs = await makeJpegFrames(30);
    for (const frame of buildFrames(jpegs, regularTimestamps(200, 1000 / 30))) {
      writer.write(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const summary = await writer.close();
    expect(errors).to.have.length(1);
    expect(errors[0]!.kind).to.equal('ENCODER_FAILED');
    expect(errors[0]!.message).to.match(/disk full/i);
    expect(summary.frames).to.equal(committed);
    expect(summary.frames).to.be.within(10, 199);
    const probe = await probeFile(file);
    expect(probe.packets).to.have.length(summary.frames);
    expect(await decodeErrors(file)).to.equal('');
  });
});
