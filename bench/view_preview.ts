import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { buildHttpApp } from '../src/http/server.js';
import { chromium } from 'playwright-core';
import { FfmpegLocator } from '../src/ffmpeg/locate.js';
import { ensureMjpegClip } from '../src/camera_core/test_clip.js';
import { ReferenceHost } from '../src/host/reference_host.js';
import type { CamerasModuleHandle } from '../src/module_factory.js';
import { moduleViewSource } from '../src/view/module_view_source.js';
import { registerViewRoutes } from '../src/view/view_routes.js';
import { childPids, processCpuSeconds } from './proc_cpu.js';
import { sleep } from './baseline.js';

const CHROMIUM = process.env.CAMERAS_CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Cpu {
  readonly node: number;
  readonly ffmpeg: number;
}

/** CPU seconds of node and of its ffmpeg children (not the browser, which is also a child here). */
function moduleCpu(): Cpu {
  const usage = process.cpuUsage();
  const ffmpegChildren = childPids(process.pid).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('ffmpeg');
    } catch {
      return false;
    }
  });
  return { node: (usage.user + usage.system) / 1e6, ffmpeg: ffmpegChildren.reduce((sum, pid) => sum + processCpuSeconds(pid), 0) };
}

async function cpuOver(seconds: number): Promise<Cpu> {
  const start = moduleCpu();
  await sleep(seconds * 1000);
  const end = moduleCpu();
  return { node: end.node - start.node, ffmpeg: end.ffmpeg - start.ffmpeg };
}

const total = (cpu: Cpu): number => cpu.node + cpu.ffmpeg;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/**
 * npm run bench:view: one module recording a 1080p30 MJPEG clip replayed as a camera (the
 * view mounted on fastify). CPU of node + ffmpeg over alternating windows without and with
 * one Chromium page open on the view (alternating, so a busy machine's drift hits both);
 * then the latency from a frame's
 * arrival in node to its receipt by a preview client on loopback (an upper bound of
 * arrival → sent).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cameras-bench-view-'));
  const ffmpeg = await new FfmpegLocator().locate();
  const clip = await ensureMjpegClip({ ffmpegPath: ffmpeg.path, width: 1920, height: 1080, fps: 30, seconds: 10, dir: path.join(os.tmpdir(), 'cameras-usb2-clips') });
  const host = new ReferenceHost({ config: { storage: { base_path: outDir }, telemetry: { emit_interval_ms: 0 }, guard: { disk_free_gb_min: 0.5 } } });
  await host.start();
  const handle = host.handle as CamerasModuleHandle;
  const app = buildHttpApp();
  await registerViewRoutes(app, moduleViewSource(handle));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-bench-chromium-'));
  try {
    await host.request('assign_device', { camera_id: { backend: 'replay', stable_id: 'cam1' }, descriptor: { name: 'bench cam1', device_path: `replay:${clip}` } });
    await host.request('record', { trial_number: 1 });
    await sleep(2000);
    // The browser stays up throughout (its own CPU is not counted); "without" windows show
    // it about:blank, so the only difference between the windows is the open view.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await context.newPage();
    const without: Cpu[] = [];
    const withPage: Cpu[] = [];
    let framesShown = 0;
    for (let round = 0; round < rounds; round += 1) {
      await page.goto('about:blank');
      await sleep(1000);
      without.push(await cpuOver(seconds));
      await page.goto(`${origin}/view/`);
      await sleep(1000);
      const shownBefore = Number(await page.getAttribute('[data-testid="preview"]', 'data-frames-shown'));
      withPage.push(await cpuOver(seconds));
      framesShown += Number(await page.getAttribute('[data-testid="preview"]', 'data-frames-shown')) - shownBefore;
    }
    await context.close();
    const streamOnly = await withPreviewClient(origin, () => cpuOver(seconds));
    const latencies = await previewLatencies(handle, origin, seconds);
    const [stopped] = await host.request('pause');
    const mean = (cpus: Cpu[]): Cpu => ({ node: cpus.reduce((a, c) => a + c.node, 0) / cpus.length, ffmpeg: cpus.reduce((a, c) => a + c.ffmpeg, 0) / cpus.length });
    const core = (cpu: number): string => `${((cpu / seconds) * 100).toFixed(1)} %`;
    const split = (cpu: Cpu): string => `${core(total(cpu))} of a core (node ${core(cpu.node)}, ffmpeg ${core(cpu.ffmpeg)})`;
    const base = mean(without);
    const open = mean(withPage);
    console.log(`view bench: 1080p30 MJPEG replay, recording, preview.fps 15, ${rounds} rounds of ${seconds} s windows, ffmpeg ${ffmpeg.version}`);
    console.log(`  recording, no page:       ${split(base)}  [${without.map((c) => core(total(c))).join(', ')}]`);
    console.log(`  recording, one open page: ${split(open)}  [${withPage.map((c) => core(total(c))).join(', ')}]`);
    console.log(`  the page adds ${core(total(open) - total(base))} of a core = ${(((total(open) - total(base)) / total(base)) * 100).toFixed(0)} % of the recording's cost`);
    console.log(`  recording + a bare preview stream read in-process (no page, no metrics): ${split(streamOnly)}`);
    console.log(`  the page showed ${(framesShown / (seconds * rounds)).toFixed(1)} frames/s`);
    console.log(`  frame arrival → received by a loopback preview client: p50 ${percentile(latencies, 50).toFixed(2)} ms, p95 ${percentile(latencies, 95).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(2)} ms over ${latencies.length} frames`);
    console.log(`  recording: ${stopped?.status === 'recording_stopped' ? `${stopped.data.frames_recorded} frames, ${stopped.data.frames_dropped} dropped` : JSON.stringify(stopped)}`);
  } finally {
    await app.close();
    await host.stop();
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Runs measure while a plain HTTP client reads (and discards) the preview stream. */
async function withPreviewClient<T>(origin: string, measure: () => Promise<T>): Promise<T> {
  const request = http.get(`${origin}/view/api/preview.mjpeg`, (response) => response.resume());
  request.on('error', () => undefined);
  try {
    return await measure();
  } finally {
    request.destroy();
  }
}

/** Arrival time of each frame (a tap keyed by sensor timestamp) against the time a preview client got it. */
async function previewLatencies(handle: CamerasModuleHandle, origin: string, seconds: number): Promise<number[]> {
  const arrivals = new Map<string, bigint>();
  const untap = handle.tapFrames('bench-arrivals', (frame) => {
    arrivals.set(String(frame.sensorTimestampNs), frame.arrival.monoNs);
    if (arrivals.size > 600) arrivals.delete(arrivals.keys().next().value as string);
  });
  const latencies: number[] = [];
  const counted = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const request = http.get(`${origin}/view/api/preview.mjpeg`, (response) => {
      let pending = '';
      response.setEncoding('latin1');
      response.on('data', (chunk: string) => {
        const received = process.hrtime.bigint();
        pending += chunk;
        for (const match of pending.matchAll(/X-Sensor-Timestamp-Ns: (\d+)\r\n/g)) {
          const stamp = match[1] as string;
          const arrival = arrivals.get(stamp);
          if (arrival === undefined || counted.has(stamp)) continue;
          counted.add(stamp);
          latencies.push(Number(received - arrival) / 1e6);
        }
        pending = pending.slice(-64);
      });
      setTimeout(() => {
        request.destroy();
        resolve();
      }, seconds * 1000);
    });
    request.on('error', reject);
  });
  untap();
  return latencies;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
