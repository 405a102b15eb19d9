import { mkdir, readdir, realpath, unlink } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger, type Logger } from '../../logging/logger.js';
import type { SegmentRing } from '../segments/segment_ring.js';
import { PLAIN_RING_FILES, type RingFiles } from '../segments/ring_files.js';
import { ClipCutter, PARTIAL_MARK, windowRecorded, type ClipTask } from './clip_cutter.js';
import { ClipDiskCheck, type ClipStorage } from './clip_disk.js';
import { ClipFolder } from './clip_folder.js';
import type { ClipJob, ClipRequestBody } from './clip_job.js';
import { clipLabel } from './clip_label.js';
import { checkWindowLimits, ClipRejection, overlaps, requestedWindow, type ClipWindow } from './clip_window.js';

export { clipJobJson, type ClipJob, type ClipRequestBody, type ClipStatus } from './clip_job.js';

export interface ClipServiceOptions {
  readonly ring: SegmentRing;
  /** Every clip goes here or into a folder inside it (out_dir). Created at start. */
  readonly clipsDir: string;
  readonly deviceId: string;
  readonly mode: () => { readonly width: number; readonly height: number; readonly fps: number };
  /** Jobs queued or running at once; one more is refused (429). */
  readonly maxQueuedJobs?: number;
  /** How long a job waits for the end of its window to be recorded, unless the request says. */
  readonly defaultMaxWaitMs?: number;
  /** The longest window a clip may have (preroll and postroll included); also the longest wait a request may ask for. */
  readonly maxWindowMs?: number;
  /** The disk guard's thresholds, checked before a job is accepted and while it writes; null: not checked. */
  readonly storage?: ClipStorage | null;
  /** Finished jobs remembered for GET /clip/{id}. */
  readonly historyMax?: number;
  readonly logger?: Logger;
  /** Called before each batch of frames is written (tests slow a job down with it). */
  readonly onBatch?: (job: ClipJob) => Promise<void>;
  /** Names, sinks (clips `.enc` when encrypting), lifecycle; the ring's own by default. */
  readonly files?: RingFiles;
}

export const CLIP_DEFAULTS = { maxQueuedJobs: 16, defaultMaxWaitMs: 30_000, maxWindowMs: 600_000, historyMax: 1000 } as const;
/** How often waiting jobs are looked at when no frame arrives (ring stopped, deadlines). */
const WAKE_MS = 250;

/** A file name made safe: no folders, only [A-Za-z0-9._-], no leading dot, at most 120 characters. */
export function sanitizeFilename(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  return base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120);
}

function stamp(epochMs: number): string {
  if (!Number.isFinite(epochMs) || Math.abs(epochMs) > 8.64e15) return 'undated';
  const iso = new Date(Math.floor(epochMs)).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}`;
}

/** A job accepted and not finished: its task, and once it runs, its end. */
interface ActiveJob {
  readonly task: ClipTask;
  readonly abort: AbortController;
  /** The window's end was not recorded yet when the job was accepted. */
  readonly waitsForFrames: boolean;
  settled: Promise<void> | null;
}

/**
 * Clip jobs: validates requests against the deployment's bounds (longest window, longest wait,
 * free space), queues them (bounded: the next is refused with 429), and runs one at a time,
 * the first whose window is recorded (or whose wait is over) first, so jobs waiting for frames
 * still to come never hold up clips of the past. The capture never waits for a job. Jobs are
 * cancelled by cancel() (DELETE /clip/{id}) and, queued or running, by close() at shutdown.
 */
export class ClipService {
  private readonly jobs = new Map<string, ClipJob>();
  private readonly active = new Map<string, ActiveJob>();
  private readonly queue: ActiveJob[] = [];
  private running: ActiveJob | null = null;
  private counter = 0;
  private readonly idPrefix = Date.now().toString(16).slice(-8);
  private rootReal: string | null = null;
  private readonly logger: Logger;
  private idle: Promise<void> = Promise.resolve();
  private wakeIdle: (() => void) | null = null;
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly files: RingFiles;
  private readonly disk: ClipDiskCheck;
  private readonly cutter: ClipCutter;

  constructor(private readonly options: ClipServiceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.files = options.files ?? PLAIN_RING_FILES;
    this.disk = new ClipDiskCheck(options.storage ?? null, this.logger);
    this.cutter = new ClipCutter({
      ring: options.ring, files: this.files, deviceId: options.deviceId, mode: options.mode, disk: this.disk, logger: this.logger, onBatch: options.onBatch,
    });
  }

  get clipsDir(): string {
    return this.options.clipsDir;
  }

  /** Creates the clips folder and removes temp files a killed job left in it. */
  async start(): Promise<void> {
    await mkdir(this.options.clipsDir, { recursive: true });
    this.rootReal = await realpath(this.options.clipsDir);
    for (const name of await readdir(this.rootReal)) {
      if (name.startsWith('.') && name.includes(`${PARTIAL_MARK}clip-`)) {
        await unlink(path.join(this.rootReal, name)).catch((err: unknown) => this.logger.warn('clips: stale temp file not removed', { name, error: String(err) }));
      }
    }
  }

  /** Refuses new jobs, cancels the queued ones (nothing is copied) and aborts the running one; resolves once it stopped. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearWake();
    const reason = 'cancelled: the module is shutting down';
    await Promise.all([...this.active.values()].map((entry) => this.stop(entry, reason)));
    await this.idle;
  }

  get pending(): number {
    return this.active.size;
  }

  get(clipId: string): ClipJob | undefined {
    return this.jobs.get(clipId);
  }

  /**
   * Cancels a queued or running job and removes its temp files; resolves with the job once it
   * stopped. ClipRejection 404 for an unknown id, 409 for a job that already finished.
   */
  async cancel(clipId: string): Promise<ClipJob> {
    const job = this.jobs.get(clipId);
    if (job === undefined) throw new ClipRejection(404, `unknown clip_id '${clipId.slice(0, 64)}'`);
    const entry = this.active.get(clipId);
    if (entry === undefined) throw new ClipRejection(409, `clip job ${clipId} already finished (${job.status}); nothing to cancel`);
    await this.stop(entry, 'cancelled by DELETE /clip/{id}');
    return job;
  }

  /** Validates and queues a job; throws ClipRejection (400, 409, 429, 503, 507). */
  async submit(body: ClipRequestBody): Promise<ClipJob> {
    if (this.closed || this.rootReal === null) throw new ClipRejection(503, 'clip service is not running');
    const ring = this.options.ring;
    const requested = requestedWindow(body, ring.timebase.offsetNs);
    const label = clipLabel(body.label);
    const maxWindowMs = this.options.maxWindowMs ?? CLIP_DEFAULTS.maxWindowMs;
    const defaultWait = this.options.defaultMaxWaitMs ?? CLIP_DEFAULTS.defaultMaxWaitMs;
    const maxWait = body.max_wait_ms ?? defaultWait;
    if (!Number.isFinite(maxWait) || maxWait < 0) throw new ClipRejection(400, 'max_wait_ms must be 0 or more');
    const waitLimit = Math.max(maxWindowMs, defaultWait);
    if (maxWait > waitLimit) throw new ClipRejection(400, `max_wait_ms (${maxWait}) must be at most ${waitLimit}, the longest clip (segments.clip_max_window_ms)`);
    checkWindowLimits(requested, { maxWindowMs, maxWaitMs: maxWait, nowEpochMs: Date.now() });
    this.checkRoom(false);
    const folder = await ClipFolder.open(this.rootReal, body.out_dir ?? null, this.options.clipsDir);
    let task: ClipTask;
    try {
      const candidates = ring.list().filter((segment) => segment.frames > 0 && overlaps(requested.window, segment));
      if (candidates.length === 0) throw new ClipRejection(409, 'no segments overlap requested window (possibly purged)');
      const waitsForFrames = !windowRecorded(ring, requested.window);
      const estimateBytes = this.estimateBytes(requested.window);
      const refusal = await this.disk.refusal(folder.real, estimateBytes);
      if (refusal !== null) throw new ClipRejection(507, refusal);
      this.checkRoom(waitsForFrames); // again: other requests may have come in while this one waited for the disk
      this.counter += 1;
      const clipId = `clip-${this.idPrefix}${this.counter.toString(16).padStart(8, '0')}`;
      const windowStartMs = requested.startEpochMs ?? ring.timebase.ptsToEpochMs(requested.startPtsNs!) ?? candidates[0]!.firstEpochMs;
      const stem = this.stemFor(body.filename ?? null, label, windowStartMs, clipId);
      const job: ClipJob = {
        clipId, status: 'queued', path: folder.shown(`${stem}.mp4${this.files.sinks.suffix}`),
        timingPath: folder.shown(`${stem}_timing.csv${this.files.sinks.suffix}`),
        message: null, frames: 0, firstPtsNs: null, lastPtsNs: null, label, mode: requested.window.mode, window: requested.window,
        startPtsNs: requested.startPtsNs, stopPtsNs: requested.stopPtsNs, startEpochMs: requested.startEpochMs, stopEpochMs: requested.stopEpochMs,
        submittedMs: Date.now(), finishedMs: null,
      };
      const abort = new AbortController();
      task = { job, maxWaitMs: maxWait, folder, segmentIds: candidates.map((segment) => segment.id), estimateBytes, signal: abort.signal };
      const entry: ActiveJob = { task, abort, waitsForFrames, settled: null };
      this.jobs.set(clipId, job);
      this.active.set(clipId, entry);
      this.queue.push(entry);
    } catch (err) {
      await folder.close().catch(() => undefined);
      throw err;
    }
    this.forgetOld();
    this.pump();
    return task.job;
  }

  /**
   * 429 when the queue is full, or when jobs waiting for frames still to come already take
   * half of it: the other half stays free for windows already recorded.
   */
  private checkRoom(waitsForFrames: boolean): void {
    const max = this.options.maxQueuedJobs ?? CLIP_DEFAULTS.maxQueuedJobs;
    if (this.pending >= max) throw new ClipRejection(429, `too many clip jobs queued (${this.pending}); retry later`);
    if (!waitsForFrames) return;
    const waiting = [...this.active.values()].filter((entry) => entry.waitsForFrames).length;
    if (waiting >= Math.max(1, Math.floor(max / 2))) {
      throw new ClipRejection(429, `too many clip jobs waiting for frames still to be recorded (${waiting}); retry later`);
    }
  }

  /** The clip's size at the rate the ring has been storing (a window is at most the longest clip). */
  private estimateBytes(window: ClipWindow): number {
    let bytes = 0;
    let spanNs = 0n;
    for (const segment of this.options.ring.list()) {
      if (segment.frames < 2) continue;
      bytes += segment.bytes;
      spanNs += segment.lastPtsNs - segment.firstPtsNs;
    }
    if (spanNs <= 0n) return 0;
    const windowNs = window.mode === 'pts' ? window.toNs - window.fromNs : window.toEpochNs - window.fromEpochNs;
    return Math.ceil(bytes * (Number(windowNs) / Number(spanNs)));
  }

  private stemFor(filename: string | null, label: string | null, startMs: number, clipId: string): string {
    if (filename !== null) {
      const safe = sanitizeFilename(filename).replace(/\.mp4$/i, '');
      if (safe.length === 0) throw new ClipRejection(400, `filename '${filename.slice(0, 64)}' has no usable characters`);
      return safe;
    }
    const base = label === null ? 'clip' : sanitizeFilename(label) || 'clip';
    return `${base}_${stamp(startMs)}_${clipId.slice(-6)}`;
  }

  private forgetOld(): void {
    const max = this.options.historyMax ?? CLIP_DEFAULTS.historyMax;
    if (this.jobs.size <= max) return;
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= max) break;
      if (!this.active.has(id)) this.jobs.delete(id);
    }
  }

  /** A queued job is dropped (nothing was read); the running one is aborted and awaited. */
  private async stop(entry: ActiveJob, reason: string): Promise<void> {
    const index = this.queue.indexOf(entry);
    if (index < 0) {
      entry.abort.abort(new Error(reason));
      await entry.settled;
      return;
    }
    this.queue.splice(index, 1);
    const { job } = entry.task;
    job.status = 'cancelled';
    job.message = reason;
    job.finishedMs = Date.now();
    this.active.delete(job.clipId);
    await entry.task.folder.close().catch(() => undefined);
    this.pump();
  }

  /** Runs the first job that can run now: its window's end is recorded, its wait is over, or the ring stopped. */
  private pump(): void {
    // Closing: what is queued is being cancelled, never started.
    if (this.running !== null || (this.closed && this.queue.length > 0)) return;
    if (this.queue.length === 0) {
      this.clearWake();
      this.wakeIdle?.();
      this.wakeIdle = null;
      return;
    }
    const now = Date.now();
    const ring = this.options.ring;
    const index = this.queue.findIndex(({ task }) => ring.state !== 'running' || now >= task.job.submittedMs + task.maxWaitMs || windowRecorded(ring, task.job.window));
    if (this.wakeIdle === null) this.idle = new Promise((resolve) => (this.wakeIdle = resolve));
    if (index < 0) {
      this.armWake();
      return;
    }
    this.clearWake();
    const entry = this.queue.splice(index, 1)[0]!;
    this.running = entry;
    entry.settled = this.cutter.run(entry.task).finally(() => {
      this.active.delete(entry.task.job.clipId);
      this.running = null;
      setImmediate(() => this.pump());
    });
  }

  /** Looks at the queue again when frames are committed, or after WAKE_MS. */
  private armWake(): void {
    if (this.wake !== null) return;
    const ring = this.options.ring;
    const wake = (): void => {
      this.clearWake();
      this.pump();
    };
    const timer = setTimeout(wake, WAKE_MS);
    ring.once('committed', wake);
    this.wake = () => {
      clearTimeout(timer);
      ring.off('committed', wake);
    };
  }

  private clearWake(): void {
    const clear = this.wake;
    this.wake = null;
    clear?.();
  }
}
