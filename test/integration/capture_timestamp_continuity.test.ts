import { expect } from 'chai';
import { FfmpegCaptureSourceFactory } from '../../src/camera_core/ffmpeg_capture_source.js';
import type { CapturedFrame, CaptureRequest } from '../../src/camera_core/types.js';
import { FfmpegLocator } from '../../src/ffmpeg/locate.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { SystemClock } from '../../src/time/clock.js';
import { sleep } from '../helpers/live_module.js';

const REQUEST: CaptureRequest = {
  device: { kind: 'synthetic', width: 320, height: 240, fps: 30 },
  mode: { width: 320, height: 240, fps: 30, pixel_format: 'mjpeg' },
  startTimeoutMs: 10_000,
};

describe('a restarted synthetic capture (real ffmpeg) keeps its sensor timestamps going forward', function () {
  this.timeout(60_000);
  const registry = new ProcessRegistry(new NodeProcessSpawner());
  after(() => registry.stopAll());

  async function captureFor(factory: FfmpegCaptureSourceFactory, ms: number): Promise<CapturedFrame[]> {
    const frames: CapturedFrame[] = [];
    const source = factory.create(REQUEST);
    source.on('frame', (frame) => frames.push(frame));
    source.on('error', () => undefined);
    await source.start();
    await sleep(ms);
    await source.stop();
    return frames;
  }

  it('continues from the last timestamp plus the real gap, like a kernel clock would', async () => {
    const ffmpeg = await new FfmpegLocator({ env: { PATH: process.env.PATH } }).locate();
    const factory = new FfmpegCaptureSourceFactory(registry, ffmpeg, new SystemClock());
    const first = await captureFor(factory, 600);
    await sleep(300);
    const second = await captureFor(factory, 600);
    expect(first.length).to.be.greaterThan(3);
    expect(second.length).to.be.greaterThan(3);
    const last = first.at(-1)!;
    const next = second[0]!;
    expect(next.sensorTimestampNs > last.sensorTimestampNs, `${next.sensorTimestampNs} after ${last.sensorTimestampNs}`).to.equal(true);
    // The step equals the arrival gap exactly at the restart; frames of each capture keep their 1/30 s spacing.
    expect(next.sensorTimestampNs - last.sensorTimestampNs).to.equal(next.arrival.monoNs - last.arrival.monoNs);
    const steps = second.slice(1).map((f, i) => Number(f.sensorTimestampNs - second[i]!.sensorTimestampNs) / 1e6);
    for (const step of steps) expect(step).to.be.closeTo(33.3, 1);
  });
});
