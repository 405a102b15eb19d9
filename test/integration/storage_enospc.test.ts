import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MatroskaWriter } from '../../src/storage/mkv/matroska_writer.js';
import type { ModuleError } from '../../src/errors/codes.js';
import { decodeErrors, probeFile } from '../helpers/ffprobe.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import { runTool } from '../helpers/run_tool.js';

describe('disk full on a real (tmpfs) volume (integration)', () => {
  let mountPoint: string;
  let mounted = false;

  before(async function () {
    mountPoint = await mkdtemp(path.join(tmpdir(), 'enospc-'));
    const result = process.platform === 'linux'
      ? await runTool('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mountPoint]).catch((err: unknown) => ({ code: -1, stderr: String(err) }))
      : { code: -1, stderr: 'not Linux' };
    if (result.code !== 0) {
      console.log(`      skipped: cannot mount a tmpfs here (${result.stderr.trim() || `exit ${result.code}`}); the in-memory ENOSPC unit test still runs`);
      this.skip();
    }
    mounted = true;
  });

  after(async () => {
    if (mounted) {
      const result = await runTool('umount', [mountPoint]);
      if (result.code !== 0) throw new Error(`umount ${mountPoint} failed: ${result.stderr}`);
    }
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('stops with ENCODER_FAILED "disk full" and leaves a valid file of whole frames', async () => {
    const file = path.join(mountPoint, 'full.mkv');
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
