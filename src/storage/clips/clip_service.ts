import { link, mkdir, readdir, realpath, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../errors/errno.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import { PtsClock } from '../mkv/pts_clock.js';
import type { SegmentRing } from '../segments/segment_ring.js';
import type { SegmentInfo } from '../segments/segment_files.js';
import type { PlaintextSource } from '../segments/plaintext_source.js';
import { PLAIN_RING_FILES, RingAnnouncer, type RingFiles } from '../segments/ring_files.js';
import type { ReservedFile } from '../name_reserver.js';
import { plaintextName } from '../sinks/file_sinks.js';
import { TimingCSVWriter } from '../timing_writer.js';
import { ClipRejection, inTimeline, overlaps, requestedWindow, segmentRange, type ClipWindow, type WindowFields } from './clip_window.js';
import { Mp4ClipWriter } from './mp4_writer.js';

export type ClipStatus = 'queued' | 'running' | 'done' | 'error';

export interface ClipRequestBody extends WindowFields {
  readonly label?: string | null;
  readonly out_dir?: string | null;
  readonly filename?: string | null;
  readonly max_wait_ms?: number | null;
}

/** One clip job as GET /clip/{id} reports it. */
export interface ClipJob {
  readonly clipId: string;
  status: ClipStatus;
  /** The final clip path once done (the planned one before). */
  path: string;
  timingPath: string;
  message: string | null;
  frames: number;
  firstPtsNs: bigint | null;
  lastPtsNs: bigint | null;
  readonly label: string | null;
  readonly mode: 'pts' | 'epoch';
  readonly window: ClipWindow;
  readonly startPtsNs: bigint | null;
  readonly stopPtsNs: bigint | null;
  readonly startEpochMs: number | null;
  readonly stopEpochMs: number | null;
  readonly submittedMs: number;
  finishedMs: number | null;
}

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
  /** Finished jobs remembered for GET /clip/{id}. */
  readonly historyMax?: number;
  readonly logger?: Logger;
  /** Called before each batch of frames is written (tests slow a job down with it). */
  readonly onBatch?: (job: ClipJob) => Promise<void>;
  /** Names, sinks (clips `.enc` when encrypting), lifecycle; the ring's own by default. */
  readonly files?: RingFiles;
}

export const CLIP_DEFAULTS = { maxQueuedJobs: 16, defaultMaxWaitMs: 30_000, maxWaitMsLimit: 600_000, historyMax: 1000 } as const;
const FRAMES_PER_BATCH = 32;
const WAIT_SLICE_MS = 250;
const PARTIAL_MARK = '.partial-';

/** A file name made safe: no folders, only [A-Za-z0-9._-], no leading dot, at most 120 characters. */
export function sanitizeFilename(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  return base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120);
}

function stamp(epochMs: number): string {
  const iso = new Date(Math.floor(epochMs)).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}`;
}

/**
 * Clip jobs: each cuts the frames whose pts lies in the requested window (plus pre/postroll)
 * out of the ring's segments, the open one included (its committed frames), and stores them
 * by stream copy in an MP4 plus a timing CSV with the original sensor timestamps. One job
 * runs at a time on its own queue (bounded: the next is refused with 429); the capture never
 * waits for it. Files are written under a temp name created exclusively in the target
 * folder and linked to their final name (never over an existing file) only when complete.
 */
export class ClipService {
  private readonly jobs = new Map<string, ClipJob>();
  private readonly queue: Array<{ job: ClipJob; maxWaitMs: number; release: () => void }> = [];
  private running = false;
  private counter = 0;
  private readonly idPrefix = Date.now().toString(16).slice(-8);
  private rootReal: string | null = null;
  private readonly logger: Logger;
  private idle: Promise<void> = Promise.resolve();
  private wakeIdle: (() => void) | null = null;
  private closed = false;
  private readonly files: RingFiles;
  private readonly announcer: RingAnnouncer;

  constructor(private readonly options: ClipServiceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.files = options.files ?? PLAIN_RING_FILES;
    this.announcer = new RingAnnouncer(this.files, this.logger);
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

  /** Refuses new jobs and waits for the queue to drain. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle;
  }

  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  get(clipId: string): ClipJob | undefined {
    return this.jobs.get(clipId);
  }

  /** Validates and queues a job; throws ClipRejection (400, 409, 429, 503). */
  async submit(body: ClipRequestBody): Promise<ClipJob> {
    if (this.closed || this.rootReal === null) throw new ClipRejection(503, 'clip service is not running');
    const ring = this.options.ring;
    const requested = requestedWindow(body, ring.timebase.offsetNs);
    const label = typeof body.label === 'string' && body.label.length > 0 ? body.label : null;
    const maxWait = body.max_wait_ms ?? this.options.defaultMaxWaitMs ?? CLIP_DEFAULTS.defaultMaxWaitMs;
    if (!Number.isFinite(maxWait) || maxWait < 0) throw new ClipRejection(400, 'max_wait_ms must be 0 or more');
    const outDir = await this.outDir(body.out_dir ?? null);
    const candidates = ring.list().filter((segment) => segment.frames > 0 && overlaps(requested.window, segment));
    if (candidates.length === 0) throw new ClipRejection(409, 'no segments overlap requested window (possibly purged)');
    if (this.pending >= (this.options.maxQueuedJobs ?? CLIP_DEFAULTS.maxQueuedJobs)) {
      throw new ClipRejection(429, `too many clip jobs queued (${this.pending}); retry later`);
    }
    this.counter += 1;
    const clipId = `clip-${this.idPrefix}${this.counter.toString(16).padStart(8, '0')}`;
    const windowStartMs = requested.startEpochMs ?? ring.timebase.ptsToEpochMs(requested.startPtsNs!) ?? candidates[0]!.firstEpochMs;
    const stem = this.stemFor(body.filename ?? null, label, windowStartMs, clipId);
    const job: ClipJob = {
      clipId, status: 'queued', path: path.join(outDir, `${stem}.mp4${this.files.sinks.suffix}`),
      timingPath: path.join(outDir, `${stem}_timing.csv${this.files.sinks.suffix}`),
      message: null, frames: 0, firstPtsNs: null, lastPtsNs: null, label, mode: requested.window.mode, window: requested.window,
      startPtsNs: requested.startPtsNs, stopPtsNs: requested.stopPtsNs, startEpochMs: requested.startEpochMs, stopEpochMs: requested.stopEpochMs,
      submittedMs: Date.now(), finishedMs: null,
    };
    const release = ring.acquire(candidates.map((segment) => segment.id));
    this.jobs.set(clipId, job);
    this.forgetOld();
    this.queue.push({ job, maxWaitMs: Math.min(maxWait, CLIP_DEFAULTS.maxWaitMsLimit), release });
    this.pump();
    return job;
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

  /** out_dir resolved (relative to the clips folder), after realpath, inside the clips folder; 400 otherwise. */
  private async outDir(requested: string | null): Promise<string> {
    const root = this.rootReal!;
    if (requested === null || requested === '') return root;
    let real: string;
    try {
      real = await realpath(path.resolve(root, requested));
    } catch (err) {
      throw new ClipRejection(400, `out_dir '${requested.slice(0, 200)}' does not exist (${errnoCode(err) ?? 'unresolvable'})`);
    }
    const relative = path.relative(root, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new ClipRejection(400, `out_dir must be inside the clips folder ${root}`);
    }
    return real;
  }

  private forgetOld(): void {
    const max = this.options.historyMax ?? CLIP_DEFAULTS.historyMax;
    if (this.jobs.size <= max) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= max) break;
      if (job.status === 'done' || job.status === 'error') this.jobs.delete(id);
    }
  }

  private pump(): void {
    if (this.running) return;
    const next = this.queue.shift();
    if (next === undefined) {
      this.wakeIdle?.();
      this.wakeIdle = null;
      return;
    }
    this.running = true;
    if (this.wakeIdle === null) this.idle = new Promise((resolve) => (this.wakeIdle = resolve));
    void this.run(next.job, next.maxWaitMs, next.release).finally(() => {
      this.running = false;
      setImmediate(() => this.pump());
    });
  }

  private async run(job: ClipJob, maxWaitMs: number, release: () => void): Promise<void> {
    job.status = 'running';
    const releases = [release];
    const pinned = new Set<string>();
    const ring = this.options.ring;
    const dir = path.dirname(job.path);
    const { sinks } = this.files;
    const temps: string[] = [];
    let video: Mp4ClipWriter | null = null;
    let timing: TimingCSVWriter | null = null;
    let announced = false;
    const sources = new Map<string, PlaintextSource>();
    try {
      // Temp names created exclusively next to the final ones (an encrypted temp file is linked as is).
      const tmpVideo = await this.reserveTemp(dir, job.path, job.clipId, temps);
      const tmpTiming = await this.reserveTemp(dir, job.timingPath, job.clipId, temps);
      video = await Mp4ClipWriter.create(tmpVideo.path, this.options.mode(), await sinks.open(tmpVideo.path, tmpVideo.handle, 'clip'));
      timing = await TimingCSVWriter.open(tmpTiming.path, {
        trial: 0, deviceId: this.options.deviceId, label: job.label, file: await sinks.open(tmpTiming.path, tmpTiming.handle, 'timing'),
      });
      this.announcer.opened(job.path, 'clip');
      this.announcer.opened(job.timingPath, 'timing');
      announced = true;
      const progress = new Map<string, number>();
      const clock = new PtsClock();
      const deadline = job.submittedMs + maxWaitMs;
      for (;;) {
        // Frames committed before this point are all looked at in this pass.
        const newest = this.newestInTimeline(job.window);
        const newestPts = newest?.lastPtsNs ?? null;
        const segments = ring.list().filter((segment) => segment.frames > 0 && overlaps(job.window, segment));
        for (const segment of segments) {
          if (!pinned.has(segment.id)) {
            pinned.add(segment.id);
            releases.push(ring.acquire([segment.id]));
          }
          await this.cutFrom(job, segment, progress, clock, video, timing, sources);
        }
        const end = this.windowEndIn(job.window, newest);
        if (newestPts !== null && end !== null && newestPts >= end) break;
        if (ring.state !== 'running' || Date.now() >= deadline) break;
        await this.waitForFrames(Math.min(WAIT_SLICE_MS, deadline - Date.now()));
      }
      if (video.frames === 0) throw new Error('no frames in the requested window');
      await video.finish();
      await timing.close();
      timing = null;
      await linkIntoPlace(tmpTiming.path, job.timingPath);
      try {
        await linkIntoPlace(tmpVideo.path, job.path);
      } catch (err) {
        await unlink(job.timingPath).catch(() => undefined); // ours, linked a moment ago: no clip, no timing file
        throw err;
      }
      job.status = 'done';
      const facts = { frames: job.frames, firstSensorTimestampNs: job.firstPtsNs, lastSensorTimestampNs: job.lastPtsNs };
      await this.announcer.closed(job.path, 'clip', facts);
      await this.announcer.closed(job.timingPath, 'timing', facts);
    } catch (err) {
      job.status = 'error';
      job.message = err instanceof Error ? err.message : String(err);
      this.logger.warn('clips: job failed', { clip_id: job.clipId, error: job.message });
      await video?.close().catch(() => undefined);
      await timing?.close().catch(() => undefined);
      if (announced) {
        const none = { frames: 0, firstSensorTimestampNs: null, lastSensorTimestampNs: null, removed: true } as const;
        await this.announcer.closed(job.path, 'clip', none);
        await this.announcer.closed(job.timingPath, 'timing', none);
      }
    } finally {
      job.finishedMs = Date.now();
      for (const source of sources.values()) await source.close().catch(() => undefined);
      for (const file of temps) {
        await unlink(file).catch((err: unknown) => {
          if (errnoCode(err) !== 'ENOENT') this.logger.warn('clips: temp file not removed', { file, error: String(err) });
        });
      }
      for (const done of releases) done();
    }
  }

  /**
   * `.<final name>.partial-<clip id>` (plus `.enc` when encrypting: every file in an encrypted
   * clips folder ends in `.enc`), created exclusively; noted in `temps` for removal.
   */
  private async reserveTemp(dir: string, finalPath: string, clipId: string, temps: string[]): Promise<ReservedFile> {
    const suffix = this.files.sinks.suffix;
    const plain = plaintextName(path.basename(finalPath), suffix);
    const reserved = await this.files.reserver.reserveFile(dir, `.${plain}${PARTIAL_MARK}${clipId}`, suffix);
    temps.push(reserved.path);
    return reserved;
  }

  /** The segment of the current timeline with the latest frame (whose lastPtsNs says how far recording got). */
  private newestInTimeline(window: ClipWindow): SegmentInfo | null {
    const segments = this.options.ring.list().filter((segment) => segment.frames > 0 && inTimeline(segment, window.timelineOffsetNs));
    return segments.at(-1) ?? null;
  }

  private windowEndIn(window: ClipWindow, segment: SegmentInfo | null): bigint | null {
    if (segment === null) return null;
    return segmentRange(window, segment)?.toNs ?? null;
  }

  /** Appends the segment's frames in the window that this job has not looked at yet. */
  private async cutFrom(
    job: ClipJob, segment: SegmentInfo, progress: Map<string, number>, clock: PtsClock,
    video: Mp4ClipWriter, timing: TimingCSVWriter, sources: Map<string, PlaintextSource>,
  ): Promise<void> {
    const range = segmentRange(job.window, segment);
    if (range === null) return;
    const { rows, blocks } = await this.options.ring.frames(segment);
    let index = progress.get(segment.id) ?? 0;
    if (index >= rows.length) return;
    const offset = segment.offsetNs;
    let batch: Array<{ row: (typeof rows)[number]; block: (typeof blocks)[number] }> = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await this.options.onBatch?.(job);
      let source = sources.get(segment.id);
      if (source === undefined) {
        // Plain, or decrypted segment by segment as the frames are read (nothing decrypted lands on disk).
        source = await this.options.ring.openVideo(segment);
        sources.set(segment.id, source);
      }
      const frames: Array<{ data: Buffer; pts: number }> = [];
      for (const { row, block } of batch) {
        const data = await source.read(block.offset, block.size);
        if (data.length !== block.size) throw new Error(`segment ${segment.id}: short read at ${block.offset}`);
        // Same timeline: a constant offset, so clip pts keep the sensor spacing exactly.
        const timelineNs = row.sensorTimestampNs + (inTimeline(segment, job.window.timelineOffsetNs) && job.window.timelineOffsetNs !== null ? job.window.timelineOffsetNs : offset);
        frames.push({ data, pts: clock.next(timelineNs) });
      }
      await video.append(frames);
      batch.forEach(({ row }, i) => {
        timing.add({
          recordTime: { unixNs: row.unixNs, monoNs: row.monoNs }, frameIndex: job.frames + i + 1,
          sensorTimestampNs: row.sensorTimestampNs, videoPts: frames[i]!.pts,
          droppedBefore: job.frames + i === 0 ? 0 : row.droppedBefore, videoFile: path.basename(job.path),
        });
      });
      timing.commit(batch.length);
      job.firstPtsNs ??= batch[0]!.row.sensorTimestampNs;
      job.lastPtsNs = batch.at(-1)!.row.sensorTimestampNs;
      job.frames += batch.length;
      batch = [];
    };
    for (; index < rows.length; index += 1) {
      const row = rows[index]!;
      if (row.sensorTimestampNs < range.fromNs) continue;
      if (row.sensorTimestampNs > range.toNs) {
        index = rows.length; // nothing later in this segment belongs to the window
        break;
      }
      batch.push({ row, block: blocks[index]! });
      if (batch.length >= FRAMES_PER_BATCH) await flush();
    }
    await flush();
    progress.set(segment.id, index);
  }

  private waitForFrames(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    const ring = this.options.ring;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        ring.off('committed', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      ring.once('committed', done);
    });
  }
}

/** Gives a complete temp file its final name without ever replacing an existing file. */
async function linkIntoPlace(tmp: string, final: string): Promise<void> {
  try {
    await link(tmp, final);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') throw new Error(`${final} already exists; the clip was not written over it`);
    throw err;
  }
  await unlink(tmp);
}

function windowPts(window: ClipWindow): { from: string | null; to: string | null } {
  if (window.mode === 'pts') return { from: window.fromNs.toString(), to: window.toNs.toString() };
  if (window.timelineOffsetNs === null) return { from: null, to: null };
  const from = window.fromEpochNs - window.timelineOffsetNs;
  const to = window.toEpochNs - window.timelineOffsetNs;
  return { from: from < 0n ? '0' : from.toString(), to: to < 0n ? '0' : to.toString() };
}

/** A job as the HTTP API reports it (pts as decimal strings). */
export function clipJobJson(job: ClipJob): Record<string, unknown> {
  const clip = {
    clip_id: job.clipId,
    status: job.status,
    path: job.status === 'done' ? job.path : null,
    timing_path: job.status === 'done' ? job.timingPath : null,
    frames: job.frames,
    first_pts_ns: job.firstPtsNs?.toString() ?? null,
    last_pts_ns: job.lastPtsNs?.toString() ?? null,
    label: job.label,
    mode: job.mode,
    start_pts_ns: job.startPtsNs?.toString() ?? null,
    stop_pts_ns: job.stopPtsNs?.toString() ?? null,
    start_epoch_ms: job.startEpochMs,
    stop_epoch_ms: job.stopEpochMs,
    message: job.message,
    // The window with pre/postroll in the capture clock's pts (an epoch window as mapped at submission).
    from_pts_ns: windowPts(job.window).from,
    to_pts_ns: windowPts(job.window).to,
  };
  return { ok: job.status !== 'error', status: job.status, path: clip.path, message: job.message, clip };
}
