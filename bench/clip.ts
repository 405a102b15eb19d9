/**
 * npm run bench:clip — the segment ring and clip API on a 1080p30 MJPEG stream (a clip
 * replayed in real time through the `replay:` camera, so capture costs what a USB camera
 * costs: no decode, no encode):
 * - CPU the ring adds to node: node's CPU with the ring subscribed to the frame hub minus
 *   node's CPU with the same capture and hub and no ring, as % of one core;
 * - time from POST /clip to `done` (polled every 5 ms) for 10 s clips of already-recorded
 *   video, across a segment boundary, frame count checked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FrameHub } from '../src/camera_core/frame_hub.js';
import { FfmpegCaptureSourceFactory } from '../src/camera_core/ffmpeg_capture_source.js';
import { ensureMjpegClip } from '../src/camera_core/test_clip.js';
import { FfmpegLocator } from '../src/ffmpeg/locate.js';
import { clipRoutes } from '../src/http/clip_routes.js';
import { createHttpServer } from '../src/http/server.js';
import { ProcessRegistry } from '../src/process/owned_process.js';
import { NodeProcessSpawner } from '../src/process/spawner.js';
import { ClipService } from '../src/storage/clips/clip_service.js';
import { SegmentRing } from '../src/storage/segments/segment_ring.js';
import { SystemClock } from '../src/time/clock.js';

const FPS = 30;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

interface CpuShare {
  readonly total: number;
  readonly user: number;
  readonly system: number;
}

/** node's own CPU (user, system: the kernel's share of writing the files) over `ms` of wall time, as % of one core. */
async function nodeCpuPercent(ms: number): Promise<CpuShare> {
  const start = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const used = process.cpuUsage(start);
  const wallMs = performance.now() - t0;
  const pct = (us: number): number => (us / 1000 / wallMs) * 100;
  return { total: pct(used.user + used.system), user: pct(used.user), system: pct(used.system) };
}

const show = (share: CpuShare): string => `${share.total.toFixed(2)} % (user ${share.user.toFixed(2)}, system ${share.system.toFixed(2)})`;

async function main(): Promise<void> {
  const measureMs = seconds('CLIP_BENCH_MEASURE_S', 20) * 1000;
  const ffmpeg = await new FfmpegLocator().locate();
  const clip = await ensureMjpegClip({ ffmpegPath: ffmpeg.path, width: 1920, height: 1080, fps: FPS, seconds: 10, dir: path.join(os.tmpdir(), 'cameras-usb2-clips') });
  const root = await mkdtemp(path.join(os.tmpdir(), 'clip-bench-'));
  const registry = new ProcessRegistry(new NodeProcessSpawner());
  const capture = new FfmpegCaptureSourceFactory(registry, ffmpeg, new SystemClock()).create({
    device: { kind: 'replay', path: clip }, mode: { width: 1920, height: 1080, fps: FPS, pixel_format: 'mjpeg' }, startTimeoutMs: 20_000,
  });
  const hub = new FrameHub();
  hub.attach(capture);
  const ring = new SegmentRing({ dir: path.join(root, 'segments'), deviceId: 'bench', mode: { width: 1920, height: 1080, fps: FPS }, segmentSeconds: 10 });
  const clips = new ClipService({ ring, clipsDir: path.join(root, 'clips'), deviceId: 'bench', mode: () => ring.mode });
  await clips.start();
  await ring.start();
  const server = await createHttpServer({}, [clipRoutes({ current: () => ({ ring, clips }) })]);
  try {
    await capture.start();
    await sleep(3000);
    const baseline = await nodeCpuPercent(measureMs);
    const detach = ring.attach(hub);
    await sleep(2000);
    const withRing = await nodeCpuPercent(measureMs);
    while (ring.list().filter((s) => !s.open).length < 2) await sleep(200);
    const timings: number[] = [];
    const frames: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const segments = ring.list().filter((s) => !s.open);
      const last = segments.at(-1)!;
      // 10 s ending 2 s into the last sealed segment: crosses a boundary.
      const stop = last.firstPtsNs + 2_000_000_000n;
      const start = stop - 10_000_000_000n + 1n;
      const t0 = performance.now();
      const response = await fetch(`${server.url}/clip`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ start_pts_ns: start.toString(), stop_pts_ns: stop.toString(), label: `bench${i}` }),
      });
      const { clip_id: clipId } = await response.json() as { clip_id: string };
      for (;;) {
        const status = await (await fetch(`${server.url}/clip/${clipId}`)).json() as { status: string; clip: { frames: number }; message: string | null };
        if (status.status === 'done') {
          timings.push(performance.now() - t0);
          frames.push(status.clip.frames);
          break;
        }
        if (status.status === 'error') throw new Error(`clip failed: ${status.message}`);
        await sleep(5);
      }
      await sleep(500);
    }
    detach();
    const sorted = [...timings].sort((a, b) => a - b);
    const segmentMb = ring.list().filter((s) => !s.open).map((s) => s.bytes / 1e6);
    const out = [
      `segment ring + clips, 1920x1080@${FPS} MJPEG replayed in real time, ffmpeg ${ffmpeg.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`,
      `node CPU without ring: ${show(baseline)} of a core; with ring: ${show(withRing)}; the ring adds ${(withRing.total - baseline.total).toFixed(2)} % `
        + `(user ${(withRing.user - baseline.user).toFixed(2)}, system ${(withRing.system - baseline.system).toFixed(2)}), over ${measureMs / 1000} s each`,
      `segments: 10 s, ~${(segmentMb.reduce((a, b) => a + b, 0) / Math.max(1, segmentMb.length)).toFixed(1)} MB each`,
      `10 s clip, POST /clip → done: median ${sorted[2]!.toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted[4]!.toFixed(0)} ms; frames ${frames.join(', ')}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await server.close();
    await capture.stop();
    await ring.stop();
    await clips.close();
    await registry.stopAll();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
