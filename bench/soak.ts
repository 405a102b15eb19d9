import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ReferenceHost } from '../src/host/reference_host.js';
import { FfmpegLocator } from '../src/ffmpeg/locate.js';
import { ensureMjpegClip } from '../src/camera_core/test_clip.js';
import { sleep } from './baseline.js';

/**
 * npm run soak: one 1080p30 camera recording one long trial; node's RSS every minute,
 * for the "growth over 10 min < 10 MB" target. Rotation is left at its default.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' } } });
  const minutes = Number(values.minutes);
  const ffmpeg = await new FfmpegLocator().locate();
  const clip = await ensureMjpegClip({ ffmpegPath: ffmpeg.path, width: 1920, height: 1080, fps: 30, seconds: 10, dir: path.join(os.tmpdir(), 'cameras-usb2-clips') });
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cameras-soak-'));
  const host = new ReferenceHost({ config: { storage: { base_path: outDir }, telemetry: { emit_interval_ms: 2000 } } });
  const mb = (): string => (process.memoryUsage().rss / 1048576).toFixed(1);
  try {
    await host.start();
    host.send('assign_device', { camera_id: { backend: 'replay', stable_id: 'soak' }, descriptor: { name: 'soak', device_path: `replay:${clip}` } });
    await host.waitFor('device_ready', 20_000);
    await host.request('record', { trial_number: 1 });
    await sleep(60_000); // the first minute warms up JIT and heap; growth is measured from here
    const start = process.memoryUsage().rss;
    console.log(`minute 1: RSS ${mb()} MB (baseline for growth)`);
    for (let minute = 2; minute <= minutes + 1; minute += 1) {
      await sleep(60_000);
      console.log(`minute ${minute}: RSS ${mb()} MB`);
    }
    const growth = (process.memoryUsage().rss - start) / 1048576;
    const stopped = (await host.request('pause')).find((m) => m.status === 'recording_stopped');
    console.log(`RSS growth over ${minutes} min: ${growth.toFixed(1)} MB; ${stopped?.status === 'recording_stopped' ? `${stopped.data.frames_recorded} frames, ${stopped.data.frames_dropped} dropped` : 'no recording_stopped'}`);
  } finally {
    await host.stop();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
