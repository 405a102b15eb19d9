import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FrameHub } from '../../src/camera_core/frame_hub.js';
import { FfmpegCaptureSourceFactory } from '../../src/camera_core/ffmpeg_capture_source.js';
import type { CaptureSource, CapturedFrame } from '../../src/camera_core/types.js';
import { clipRoutes } from '../../src/http/clip_routes.js';
import { createHttpServer, type HttpServer } from '../../src/http/server.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ClipService, type ClipJob } from '../../src/storage/clips/clip_service.js';
import { SegmentRing, type FrameSink } from '../../src/storage/segments/segment_ring.js';
import { readTimingCsv, type TimingCsvRow } from '../../src/storage/timing_reader.js';
import { SystemClock } from '../../src/time/clock.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';

export interface LiveRing {
  readonly root: string;
  readonly capture: CaptureSource;
  readonly ring: SegmentRing;
  readonly clips: ClipService;
  readonly server: HttpServer;
  readonly url: string;
  /** Stops everything; removes the folder unless keep. */
  stop(keep?: boolean): Promise<void>;
}

export interface LiveRingOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly segmentSeconds?: number;
  readonly host?: string;
  readonly token?: string | null;
  readonly clipQueueMax?: number;
  readonly root?: string;
  readonly onBatch?: (job: ClipJob) => Promise<void>;
}

/** Hands frames to a sink one at a time as the hub would (the next once a returned promise settled). */
export function feed(capture: CaptureSource, sink: FrameSink): void {
  let chain: Promise<void> = Promise.resolve();
  capture.on('frame', (frame: CapturedFrame) => {
    chain = chain.then(() => sink(frame, { droppedBefore: 0 })).catch((err: unknown) => {
      console.error('sink failed', err);
    });
  });
}

/** A synthetic camera (real ffmpeg) feeding a segment ring, clip jobs and the HTTP API. */
export async function startLiveRing(options: LiveRingOptions = {}): Promise<LiveRing> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const fps = options.fps ?? 30;
  const root = options.root ?? await mkdtemp(path.join(tmpdir(), 'clip-api-'));
  const ffmpeg = await pathFfmpegInfo();
  const registry = new ProcessRegistry(new NodeProcessSpawner());
  const capture = new FfmpegCaptureSourceFactory(registry, ffmpeg, new SystemClock()).create({
    device: { kind: 'synthetic', width, height, fps },
    mode: { width, height, fps, pixel_format: 'mjpeg' },
    startTimeoutMs: 20_000,
  });
  const ring = new SegmentRing({ dir: path.join(root, 'segments'), deviceId: 'synthetic-cam', mode: { width, height, fps }, segmentSeconds: options.segmentSeconds ?? 5 });
  const clips = new ClipService({
    ring, clipsDir: path.join(root, 'clips'), deviceId: 'synthetic-cam', mode: () => ring.mode,
    maxQueuedJobs: options.clipQueueMax ?? 16, defaultMaxWaitMs: 10_000,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
  await clips.start();
  await ring.start();
  const hub = new FrameHub();
  const detach = hub.attach(capture);
  const unsubscribe = ring.attach(hub);
  await capture.start();
  const server = await createHttpServer(
    { host: options.host ?? '127.0.0.1', port: 0, token: options.token ?? null, strictResponses: true },
    [clipRoutes({ current: () => ({ ring, clips }), camera: () => ({ id: 'synthetic-cam', mode: { width, height, fps } }) })],
  );
  return {
    root, capture, ring, clips, server, url: server.url,
    stop: async (keep = false) => {
      await server.close();
      unsubscribe();
      detach();
      await capture.stop();
      await clips.close();
      await ring.stop();
      await registry.stopAll();
      if (!keep) await rm(root, { recursive: true, force: true });
    },
  };
}

/** Every frame the ring stored, in order, from the segments' timing files. */
export async function ringRows(ring: SegmentRing): Promise<TimingCsvRow[]> {
  const rows: TimingCsvRow[] = [];
  for (const segment of ring.list()) rows.push(...await readTimingCsv(segment.timingPath));
  return rows;
}

export async function json(response: Response): Promise<Record<string, unknown>> {
  return await response.json() as Record<string, unknown>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls GET /clip/{id} until done or error. */
export async function waitForClip(url: string, clipId: string, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await json(await fetch(`${url}/clip/${clipId}`, { headers }));
    if (body['status'] === 'done' || body['status'] === 'error') return body;
    if (Date.now() > deadline) throw new Error(`clip ${clipId} still ${String(body['status'])} after ${timeoutMs} ms`);
    await sleep(50);
  }
}
