import path from 'node:path';
import type { ResolvedConfig } from '../config/config.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { ClipService } from '../storage/clips/clip_service.js';
import { SegmentRing, type FrameSource, type StorageReader } from '../storage/segments/segment_ring.js';
import type { RingFiles } from '../storage/segments/ring_files.js';
import { thresholdsFrom } from '../storage/storage_policy.js';
import { clipRoutes } from './clip_routes.js';
import { createHttpServer, type HttpServer } from './server.js';

export interface SegmentSettings {
  readonly dir: string;
  readonly clipsDir: string;
  readonly segmentSeconds: number;
  readonly retainMinutes: number;
  readonly retainMaxBytes: number | null;
  readonly clipQueueMax: number;
  readonly clipMaxWaitMs: number;
  readonly clipMaxWindowMs: number;
}

/** The segments section with its folder defaults filled: <storage.base_path>/segments|clips/<stable_id>. */
export function segmentSettings(config: ResolvedConfig, stableId: string): SegmentSettings {
  const s = config.segments;
  const folder = stableId.replace(/[^A-Za-z0-9._-]+/g, '_') || 'camera';
  return {
    dir: s.dir ?? path.join(config.storage.base_path, 'segments', folder),
    clipsDir: s.clips_dir ?? path.join(config.storage.base_path, 'clips', folder),
    segmentSeconds: s.segment_seconds,
    retainMinutes: s.retain_minutes,
    retainMaxBytes: s.retain_max_bytes,
    clipQueueMax: s.clip_queue_max,
    clipMaxWaitMs: s.clip_max_wait_ms,
    clipMaxWindowMs: s.clip_max_window_ms,
  };
}

export interface ClipApiOptions {
  readonly config: ResolvedConfig;
  /** The camera's stable id: segment and clip folders, device_id of the timing files. */
  readonly stableId: string;
  /** The captured mode (frames are stored as they come). */
  readonly mode: { readonly width: number; readonly height: number; readonly fps: number };
  /** The frame hub to subscribe the ring to; absent: feed ring.sink yourself. */
  readonly source?: FrameSource | null;
  /** DiskGuard (its read()) for the ring's free-space check; thresholds come from config.guard. */
  readonly diskGuard?: StorageReader | null;
  /** Serve the HTTP API (default: config.http.enabled). */
  readonly http?: boolean;
  /** What /health reports as the camera. */
  readonly camera?: () => Record<string, unknown> | null;
  readonly logger?: Logger;
  /** How segments and clips meet the disk (the module's sinks, lifecycle, key); default plain, unannounced. */
  readonly files?: RingFiles;
}

/**
 * Segment ring + clip jobs + (optionally) the HTTP server, started and stopped together:
 * `const api = await ClipApi.start({ config, stableId, mode, source: hub, diskGuard })`,
 * `api.url` for ready/get_status, `api.ring.setMode(mode)` when the capture mode changes,
 * `await api.stop()` on shutdown.
 */
export class ClipApi {
  private unsubscribe: (() => void) | null = null;

  private constructor(
    readonly ring: SegmentRing,
    readonly clips: ClipService,
    readonly server: HttpServer | null,
  ) {}

  get url(): string | null {
    return this.server?.url ?? null;
  }

  static async start(options: ClipApiOptions): Promise<ClipApi> {
    const logger = options.logger ?? silentLogger;
    const settings = segmentSettings(options.config, options.stableId);
    const thresholds = thresholdsFrom(options.config);
    const ring = new SegmentRing({
      dir: settings.dir, deviceId: options.stableId, mode: options.mode,
      segmentSeconds: settings.segmentSeconds, retainMinutes: settings.retainMinutes, retainMaxBytes: settings.retainMaxBytes,
      queueMaxFrames: options.config.capture.queue_max_frames,
      storage: options.diskGuard
        ? { guard: options.diskGuard, thresholds, checkIntervalMs: options.config.guard.check_interval_ms }
        : null,
      logger, ...(options.files ? { files: options.files } : {}),
    });
    const clips = new ClipService({
      ring, clipsDir: settings.clipsDir, deviceId: options.stableId, mode: () => ring.mode,
      maxQueuedJobs: settings.clipQueueMax, defaultMaxWaitMs: settings.clipMaxWaitMs, maxWindowMs: settings.clipMaxWindowMs, logger,
      storage: options.diskGuard ? { guard: options.diskGuard, thresholds } : null,
      ...(options.files ? { files: options.files } : {}),
    });
    await clips.start();
    await ring.start();
    let server: HttpServer | null = null;
    if (options.http ?? options.config.http.enabled) {
      try {
        const { host, port, token, allowed_hosts: allowedHosts } = options.config.http;
        server = await createHttpServer({ host, port, token, allowedHosts, logger }, [clipRoutes({ current: () => ({ ring, clips }), ...(options.camera ? { camera: options.camera } : {}) })]);
      } catch (err) {
        await ring.stop();
        throw err;
      }
    }
    const api = new ClipApi(ring, clips, server);
    if (options.source) api.unsubscribe = ring.attach(options.source);
    return api;
  }

  /** Cancels clip jobs first (queued ones are never run, the running one is aborted), then seals the ring. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.server?.close();
    await this.clips.close();
    await this.ring.stop();
  }
}
