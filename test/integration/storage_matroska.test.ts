import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MatroskaWriter } from '../../src/storage/mkv/matroska_writer.js';
import { decodeErrors, firstPacketBytes, probeFile } from '../helpers/ffprobe.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import type { CapturedFrame } from '../../src/camera_core/types.js';

async function record(file: string, frames: readonly CapturedFrame[], paceEvery = 0): Promise<{ pts: Array<number | null>; committed: number }> {
  const writer = await MatroskaWriter.open({ path: file, width: 320, height: 240, fps: 30, queueMaxFrames: 1000 });
  let committed = 0;
  writer.on('committed', (count) => { committed = count; });
  const pts: Array<number | null> = [];
  for (const [i, frame] of frames.entries()) {
    pts.push(writer.write(frame));
    if (paceEvery > 0 && i % paceEvery === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.close();
  return { pts, committed };
}

describe('MatroskaWriter with ffprobe (integration)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mkv-int-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('writes MJPEG passthrough that ffprobe reads back packet for packet', async () => {
    const jpegs = await makeJpegFrames(30);
    const frames = buildFrames(jpegs, regularTimestamps(90, 1000 / 30));
    const file = path.join(dir, 'regular.mkv');
    const { pts, committed } = await record(file, frames, 7);
    expect(committed).to.equal(90);
    const probe = await probeFile(file);
    expect(probe.streams).to.have.length(1);
    expect(probe.streams[0]).to.include({ codecName: 'mjpeg', width: 320, height: 240, timeBase: '1/1000' });
    expect(probe.packets).to.have.length(90);
    expect(probe.packets.map((p) => p.pts)).to.deep.equal(pts);
    expect(probe.packets.map((p) => p.size)).to.deep.equal(frames.map((f) => f.data.length));
    expect(probe.format.duration).to.be.closeTo(3.0, 0.01);
    expect(await decodeErrors(file)).to.equal('');
    expect((await firstPacketBytes(file)).equals(jpegs[0]!)).to.equal(true);
  });

  it('keeps irregular timestamps: a 100 ms gap shows up in the pts', async () => {
    const jpegs = await makeJpegFrames(30);
    const timestamps = regularTimestamps(40, 1000 / 30);
    for (let i = 20; i < timestamps.length; i += 1) timestamps[i] = timestamps[i]! + 100_000_000n;
    const file = path.join(dir, 'gap.mkv');
    const { pts } = await record(file, buildFrames(jpegs, timestamps));
    expect(pts[20]! - pts[19]!).to.be.within(133, 134);
    const probe = await probeFile(file);
    expect(probe.packets.map((p) => p.pts)).to.deep.equal(pts);
    expect(await decodeErrors(file)).to.equal('');
  });

  it('seeks in a closed file through its Cues', async () => {
    const jpegs = await makeJpegFrames(30);
    const file = path.join(dir, 'seek.mkv');
    await record(file, buildFrames(jpegs, regularTimestamps(150, 1000 / 30)));
    const probe = await probeFile(file);
    expect(probe.packets).to.have.length(150);
    const { runToolOk } = await import('../helpers/run_tool.js');
    const seeked = await runToolOk('ffprobe', ['-v', 'error', '-read_intervals', '3.5%+#1', '-select_streams', 'v', '-show_entries', 'packet=pts', '-of', 'csv=p=0', file]);
    const firstAfterSeek = Number(seeked.stdout.toString().trim().split('\n')[0]);
    expect(firstAfterSeek).to.be.within(3000, 3500);
  });
});
