import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CapturedFrame } from '../../src/camera_core/types.js';
import type { ClockSample } from '../../src/time/clock.js';
import { runToolOk } from './run_tool.js';

const cache = new Map<string, Promise<Buffer[]>>();

/** N distinct real JPEGs (ffmpeg testsrc2), made once per size and count. */
export function makeJpegFrames(count: number, width = 320, height = 240): Promise<Buffer[]> {
  const key = `${count}:${width}x${height}`;
  let frames = cache.get(key);
  if (frames === undefined) {
    frames = encodeFrames(count, width, height);
    cache.set(key, frames);
  }
  return frames;
}

async function encodeFrames(count: number, width: number, height: number): Promise<Buffer[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jpeg-frames-'));
  try {
    await runToolOk('ffmpeg', [
      '-v', 'error', '-nostdin', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30`,
      '-frames:v', String(count), '-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj422p', path.join(dir, '%05d.jpg'),
    ]);
    const names = (await readdir(dir)).filter((name) => name.endsWith('.jpg')).sort();
    return await Promise.all(names.map((name) => readFile(path.join(dir, name))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sensor timestamps every `intervalMs` from `startNs`. */
export function regularTimestamps(count: number, intervalMs: number, startNs = 5_000_000_000n): bigint[] {
  const stepNs = BigInt(Math.round(intervalMs * 1e6));
  return Array.from({ length: count }, (_, i) => startNs + BigInt(i) * stepNs);
}

/** The clock sample a frame arrived at: a fixed epoch plus the sensor time. */
export function arrivalFor(sensorNs: bigint): ClockSample {
  return { monoNs: sensorNs + 1_000_000n, unixNs: 1_700_000_000_000_000_000n + sensorNs };
}

/** Captured frames cycling through `jpegs`, one per timestamp. */
export function buildFrames(jpegs: readonly Buffer[], timestampsNs: readonly bigint[], droppedBefore: readonly number[] = []): CapturedFrame[] {
  return timestampsNs.map((sensorTimestampNs, i) => ({
    captureIndex: i,
    data: jpegs[i % jpegs.length]!,
    sensorTimestampNs,
    arrival: arrivalFor(sensorTimestampNs),
    droppedBefore: droppedBefore[i] ?? 0,
  }));
}
