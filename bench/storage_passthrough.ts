/**
 * Storage-only benchmark: 1080p MJPEG frames through the passthrough path (TrialRecorder →
 * MatroskaWriter + timing CSV), no capture. Reports node CPU while recording in real time
 * at 30 fps, and the unpaced write throughput.
 *   node dist/bench/storage_passthrough.js [--seconds 10] [--frames 600]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NodeProcessSpawner } from '../src/process/spawner.js';
import { ProcessRegistry } from '../src/process/owned_process.js';
import { resolveSessionPaths } from '../src/storage/session_paths.js';
import { DefaultTrialRecorderFactory } from '../src/storage/trial_recorder.js';
import { DefaultVideoWriterFactory } from '../src/storage/video_writer_factory.js';
import { SystemClock } from '../src/time/clock.js';
import type { TrialRecorder } from '../src/storage/types.js';
import { pathFfmpegInfo } from '../test/helpers/ffmpeg_info.js';
import { makeJpegFrames } from '../test/helpers/jpeg_frames.js';
import { trialContext } from '../test/helpers/trial_fixtures.js';

const FHD = { width: 1920, height: 1080, fps: 30, pixel_format: 'mjpeg' };

async function startTrial(dir: string, label: string, queueMaxFrames: number): Promise<TrialRecorder> {
  const writers = new DefaultVideoWriterFactory(await pathFfmpegInfo(), new ProcessRegistry(new NodeProcessSpawner()));
  return new DefaultTrialRecorderFactory(writers, new SystemClock()).start({
    context: trialContext({ captureMode: FHD, recordMode: FHD }),
    paths: resolveSessionPaths({ basePath: dir, sessionPrefix: 'bench', cameraLabel: label }),
    writer: { codec: 'mjpeg', jpegQuality: 85, h264Crf: 23, forceReencode: false, queueMaxFrames },
  });
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, frames: { type: 'string', default: '600' } } });
  const seconds = Number(values.seconds);
  const unpacedFrames = Number(values.frames);
  const jpegs = await makeJpegFrames(30, FHD.width, FHD.height);
  const meanKb = jpegs.reduce((n, j) => n + j.length, 0) / jpegs.length / 1024;
  const dir = await mkdtemp(path.join(tmpdir(), 'storage-bench-'));
  const clock = new SystemClock();
  try {
    // Real time: one frame every 33.3 ms, as a camera delivers them.
    const paced = await startTrial(dir, 'paced', 30);
    const total = Math.round(seconds * FHD.fps);
    const cpuStart = process.cpuUsage();
    const wallStart = clock.sample().monoNs;
    for (let i = 0; i < total; i += 1) {
      const due = wallStart + BigInt(Math.round((i * 1e9) / FHD.fps));
      const waitMs = Number(due - clock.sample().monoNs) / 1e6;
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      paced.onFrame({ captureIndex: i, data: jpegs[i % jpegs.length]!, sensorTimestampNs: due, arrival: clock.sample(), droppedBefore: 0 });
    }
    const finishStart = clock.sample().monoNs;
    const pacedSummary = await paced.finish('command');
    const finishMs = Number(clock.sample().monoNs - finishStart) / 1e6;
    const pacedCpu = cpuSeconds(cpuStart);
    const pacedWall = Number(clock.sample().monoNs - wallStart) / 1e9;
    console.log(`paced 1080p30, ${total} frames of ${meanKb.toFixed(0)} KB: node CPU ${pacedCpu.toFixed(3)} s over ${pacedWall.toFixed(1)} s = ${(100 * pacedCpu / pacedWall).toFixed(2)} % of one core; recorded ${pacedSummary.framesRecorded}, dropped ${pacedSummary.framesDropped}; finish() ${finishMs.toFixed(1)} ms`);

    // Unpaced: frames as fast as the disk takes them (yielding so writes complete).
    const unpaced = await startTrial(dir, 'unpaced', 1000);
    const cpu2 = process.cpuUsage();
    const t0 = clock.sample().monoNs;
    let bytes = 0;
    for (let i = 0; i < unpacedFrames; i += 1) {
      const data = jpegs[i % jpegs.length]!;
      bytes += data.length;
      unpaced.onFrame({ captureIndex: i, data, sensorTimestampNs: t0 + BigInt(i) * 33_333_333n, arrival: clock.sample(), droppedBefore: 0 });
      if (unpaced.stats().queueDepth > 500) await new Promise((resolve) => setTimeout(resolve, 1));
      else await new Promise((resolve) => setImmediate(resolve));
    }
    const summary = await unpaced.finish('command');
    const wall = Number(clock.sample().monoNs - t0) / 1e9;
    console.log(`unpaced: ${summary.framesRecorded} frames (${(bytes / 1048576).toFixed(0)} MB) in ${wall.toFixed(2)} s = ${(summary.framesRecorded / wall).toFixed(0)} fps, ${(bytes / 1048576 / wall).toFixed(0)} MB/s; node CPU ${cpuSeconds(cpu2).toFixed(2)} s; dropped ${summary.framesDropped}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
