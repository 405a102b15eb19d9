import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { FrameHub, FrameSink } from '../../camera_core/frame_hub.js';
import type { CapturedFrame } from '../../camera_core/types.js';
import { toModuleError, type ModuleError } from '../../errors/codes.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import type { DiskReading } from '../disk_guard.js';
import { MatroskaWriter } from '../mkv/matroska_writer.js';
import { removeAll, type ReservedFile } from '../name_reserver.js';
import { expectedVideoBytesPerSecond } from '../sinks/segment_choice.js';
import type { StorageThresholds } from '../storage_policy.js';
import { TimingCSVWriter } from '../timing_writer.js';
import { MatroskaBlockScanner, type BlockRef } from './mkv_blocks.js';
import {
  nsToEpochMs, readSegmentRows, rebuildIndex, removeSegmentFiles, segmentPaths, segmentStem, SEGMENT_TIMING_SUFFIX, SEGMENT_VIDEO_EXT,
  type FrameRow, type SegmentInfo,
} from './segment_files.js';
import { TimebaseEstimator, type TimebaseReport } from './timebase.js';
import { openPlaintext, type PlaintextSource } from './plaintext_source.js';
import { PLAIN_RING_FILES, RingAnnouncer, type RingFiles } from './ring_files.js';
import { sizeOrZero } from '../file_size.js';

/** What the ring needs of the frame hub: FrameHub itself, or anything that subscribes alike. */
export type FrameSource = Pick<FrameHub, 'subscribe'>;
export type { FrameSink };

/** The part of DiskGuard the ring uses: one reading of a folder against thresholds. */
export interface StorageReader {
  read(path: string, thresholds: StorageThresholds): Promise<DiskReading>;
}

export interface SegmentRingOptions {
  readonly dir: string;
  /** The camera's stable id (device_id column of the timing files). */
  readonly deviceId: string;
  /** The captured mode (frames are stored as they come). */
  readonly mode: { readonly width: number; readonly height: number; readonly fps: number };
  readonly segmentSeconds?: number;
  readonly retainMinutes?: number;
  /** Oldest segments go once all of them together take more than this; null: no byte limit. */
  readonly retainMaxBytes?: number | null;
  /** Frames allowed to wait for the disk before new ones are dropped. */
  readonly queueMaxFrames?: number;
  /** Free-space check at every new segment, and while paused for storage every checkIntervalMs. */
  readonly storage?: { readonly guard: StorageReader; readonly thresholds: StorageThresholds; readonly checkIntervalMs?: number } | null;
  readonly logger?: Logger;
  /** Wall clock in epoch ms (retention by age). */
  readonly now?: () => number;
  /** Names, sinks (plain or encrypted), lifecycle and read key (default: plain, unannounced). */
  readonly files?: RingFiles;
}

export type RingState = 'stopped' | 'running' | 'paused_storage';

export interface SegmentRingEvents {
  segment_opened: (segment: SegmentInfo) => void;
  segment_sealed: (segment: SegmentInfo) => void;
  segment_deleted: (segment: SegmentInfo, reason: 'age' | 'bytes') => void;
  /** More frames of the open segment are on disk. */
  committed: (segment: SegmentInfo) => void;
  /** The volume is in the warn band (once per rise) or critical (the ring pauses). */
  storage: (reading: DiskReading) => void;
  state: (state: RingState, reason: string | null) => void;
  error: (error: ModuleError) => void;
}

/** One segment's frames on disk: rows and their byte ranges, index for index. */
export interface SegmentFrames {
  readonly rows: readonly FrameRow[];
  readonly blocks: readonly BlockRef[];
}

export const RING_DEFAULTS = { segmentSeconds: 10, retainMinutes: 30, queueMaxFrames: 60, checkIntervalMs: 5000 } as const;
/** Overhead per frame in a segment (SimpleBlock head, cluster heads, timing row), for the open segment's size. */
const FRAME_OVERHEAD_BYTES = 130;
const ROWS_CACHE = 8;
const RETENTION_TIMER_MS = 10_000;
/** Clips read the open segment's rows from memory, so its timing file may lag the most the writer allows. */
const TIMING_FLUSH_MS = 500;

interface OpenSegment {
  readonly info: SegmentInfo;
  readonly writer: MatroskaWriter;
  readonly timing: TimingCSVWriter;
  readonly rows: FrameRow[];
  readonly sizes: number[];
  readonly firstNs: bigint;
  /** Frames lost since the last accepted one (refused by the writer). */
  lost: number;
}

/**
 * Rolling segments: a FrameSink storing every frame in crash-safe Matroska files of
 * segment_seconds (MatroskaWriter, frames as they came) with a timing CSV each (the trial
 * columns; rows reach the disk only once their frame did), named by their first frame's
 * arrival time. An in-memory index (rebuilt from the files at start) lists every segment's
 * first/last pts and epoch, frames and bytes; retention removes the oldest by age and by
 * total bytes but never one a clip job holds (acquire()).
 */
export class SegmentRing extends EventEmitter<SegmentRingEvents> {
  readonly dir: string;
  readonly timebase = new TimebaseEstimator();
  private readonly logger: Logger;
  private readonly segmentNs: bigint;
  private retainMs: number;
  private retainMaxBytes: number | null;
  private modeNow: SegmentRingOptions['mode'];
  private segments: SegmentInfo[] = [];
  private current: OpenSegment | null = null;
  /** Rows of segments not completely closed yet (their CSV may still lag). */
  private readonly liveRows = new Map<string, FrameRow[]>();
  private readonly rowsCache = new Map<string, FrameRow[]>();
  private readonly scanners = new Map<string, MatroskaBlockScanner>();
  private readonly pins = new Map<string, number>();
  private readonly sealing = new Set<Promise<void>>();
  private stateNow: RingState = 'stopped';
  private stateReason: string | null = null;
  private rotateRequested = false;
  private retention: Promise<void> | null = null;
  private retentionAgain = false;
  private retentionTimer: NodeJS.Timeout | null = null;
  private storageCheck: Promise<void> | null = null;
  private lastStorageCheckMs = 0;
  private lastStorageLevel: DiskReading['level'] = 'ok';
  private framesDropped = 0;
  private readonly files: RingFiles;
  private readonly announcer: RingAnnouncer;

  constructor(private readonly options: SegmentRingOptions) {
    super();
    this.dir = options.dir;
    this.logger = options.logger ?? silentLogger;
    this.files = options.files ?? PLAIN_RING_FILES;
    this.announcer = new RingAnnouncer(this.files, this.logger);
    this.modeNow = options.mode;
    const seconds = options.segmentSeconds ?? RING_DEFAULTS.segmentSeconds;
    this.segmentNs = BigInt(Math.round(seconds * 1e9));
    this.retainMs = (options.retainMinutes ?? RING_DEFAULTS.retainMinutes) * 60_000;
    this.retainMaxBytes = options.retainMaxBytes ?? null;
  }

  get state(): RingState {
    return this.stateNow;
  }

  get reason(): string | null {
    return this.stateReason;
  }

  /** Frames refused because the disk fell behind (the writer's queue was full). */
  get dropped(): number {
    return this.framesDropped;
  }

  /** Creates the folder, rebuilds the index from its files, applies retention, starts taking frames. */
  async start(): Promise<void> {
    if (this.stateNow !== 'stopped') return;
    await mkdir(this.dir, { recursive: true });
    this.segments = await rebuildIndex(this.dir, this.logger, this.files.readKey);
    await this.applyRetention();
    this.setState('running', null);
    this.retentionTimer = setInterval(() => void this.applyRetention(), RETENTION_TIMER_MS);
    this.retentionTimer.unref();
  }

  /** Seals the open segment and stops taking frames; resolves once every file is closed. */
  async stop(): Promise<void> {
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    this.setState('stopped', null);
    this.sealCurrent();
    while (this.sealing.size > 0) await Promise.all([...this.sealing]);
    await this.retention;
  }

  /** The frame sink to subscribe to the hub with (bound). */
  readonly sink: FrameSink = (frame, delivery) => this.onFrame(frame, delivery.droppedBefore);

  /** Subscribes to a frame source; returns the unsubscribe function. */
  attach(source: FrameSource, name = 'segment-ring'): () => void {
    return source.subscribe(name, this.sink, { maxQueueFrames: this.options.queueMaxFrames ?? RING_DEFAULTS.queueMaxFrames, overflow: 'drop_newest' });
  }

  get mode(): SegmentRingOptions['mode'] {
    return this.modeNow;
  }

  /** A new capture mode: the next frame starts a new segment with it. */
  setMode(mode: SegmentRingOptions['mode']): void {
    this.modeNow = mode;
    this.rotateRequested = true;
  }

  /** Seals the open segment now; the next frame starts a new one. Resolves with the sealed segment (null if none was open). */
  async forceRotate(): Promise<SegmentInfo | null> {
    const sealed = this.sealCurrent();
    if (sealed === null) return null;
    await sealed.done;
    return sealed.info;
  }

  /** Every segment, oldest first; the open one (if any) last. Live objects: do not change them. */
  list(): readonly SegmentInfo[] {
    return this.segments;
  }

  get openInfo(): SegmentInfo | null {
    return this.current?.info ?? null;
  }

  timebaseReport(): TimebaseReport | null {
    return this.timebase.report();
  }

  /** New retention limits (applied at once). */
  setRetention(limits: { readonly retainMinutes?: number; readonly retainMaxBytes?: number | null }): Promise<void> {
    if (limits.retainMinutes !== undefined) this.retainMs = limits.retainMinutes * 60_000;
    if (limits.retainMaxBytes !== undefined) this.retainMaxBytes = limits.retainMaxBytes;
    return this.applyRetention();
  }

  /** Keeps retention away from these segments until the returned release is called (once). */
  acquire(ids: readonly string[]): () => void {
    for (const id of ids) this.pins.set(id, (this.pins.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const id of ids) {
        const count = (this.pins.get(id) ?? 1) - 1;
        if (count <= 0) this.pins.delete(id);
        else this.pins.set(id, count);
      }
      void this.applyRetention();
    };
  }

  /**
   * The frames of a segment that are on disk with their timing rows: for the open one its
   * committed frames only. Rows and blocks are checked against each other (pts).
   */
  async frames(segment: SegmentInfo): Promise<SegmentFrames> {
    const rows = await this.rowsOf(segment);
    let scanner = this.scanners.get(segment.id);
    if (scanner === undefined) {
      scanner = new MatroskaBlockScanner(segment.videoPath, this.files.readKey);
      this.scanners.set(segment.id, scanner);
    }
    const found = await scanner.scan(rows.length);
    const count = Math.min(found, rows.length);
    const blocks = scanner.blocks.slice(0, count);
    for (let i = 0; i < count; i += 1) {
      if (blocks[i]!.timeMs !== rows[i]!.videoPts) {
        throw new Error(`segment ${segment.id}: frame ${i + 1} has pts ${blocks[i]!.timeMs} ms in the file but ${rows[i]!.videoPts} in its timing file`);
      }
    }
    return { rows: rows.slice(0, count), blocks };
  }

  /** The segment's video read by plaintext offset (decrypted as read when encrypted); the caller closes it. */
  openVideo(segment: SegmentInfo): Promise<PlaintextSource> {
    return openPlaintext(segment.videoPath, this.files.readKey);
  }

  private async rowsOf(segment: SegmentInfo): Promise<readonly FrameRow[]> {
    const live = this.liveRows.get(segment.id);
    if (live !== undefined) return live.slice(0, segment.frames);
    const cached = this.rowsCache.get(segment.id);
    if (cached !== undefined) return cached;
    const rows = await readSegmentRows(segment.timingPath, this.files.readKey);
    this.rowsCache.set(segment.id, rows);
    if (this.rowsCache.size > ROWS_CACHE) this.rowsCache.delete(this.rowsCache.keys().next().value!);
    return rows;
  }

  private onFrame(frame: CapturedFrame, hubDropped: number): void | Promise<void> {
    this.timebase.observe(frame);
    if (this.stateNow === 'paused_storage') {
      this.recheckStorage();
      return;
    }
    if (this.stateNow !== 'running') return;
    const open = this.current;
    if (open === null || this.rotateRequested || frame.sensorTimestampNs - open.firstNs >= this.segmentNs || frame.sensorTimestampNs < open.firstNs) {
      return this.rotateTo(frame, hubDropped);
    }
    this.write(open, frame, hubDropped);
  }

  private async rotateTo(frame: CapturedFrame, hubDropped: number): Promise<void> {
    this.rotateRequested = false;
    this.sealCurrent();
    if (!(await this.storageAllows())) return;
    if (this.stateNow !== 'running') return;
    try {
      const segment = await this.openSegment(frame);
      if (this.stateNow !== 'running') {
        this.current = segment;
        this.sealCurrent();
        return;
      }
      this.current = segment;
      this.write(segment, frame, hubDropped);
    } catch (err) {
      this.pause(toModuleError(err));
    }
  }

  private async openSegment(frame: CapturedFrame): Promise<OpenSegment> {
    const unixNs = toMicros(frame.arrival.unixNs);
    const epochMs = nsToEpochMs(unixNs);
    const { sinks, reserver } = this.files;
    const known = new Set(this.segments.map((segment) => segment.id));
    // The reserver skips names taken on disk; the index may know one more (plain vs .enc).
    const free: string[] = [];
    let next = 0;
    const candidate = (attempt: number): string => {
      while (free.length < attempt) {
        const stem = segmentStem(epochMs, next);
        next += 1;
        if (!known.has(stem)) free.push(stem);
      }
      return free[attempt - 1]!;
    };
    const group = await reserver.reserve({ dir: this.dir, name: candidate, endings: [SEGMENT_VIDEO_EXT + sinks.suffix, SEGMENT_TIMING_SUFFIX + sinks.suffix] });
    const [videoFile, timingFile] = group.files as [ReservedFile, ReservedFile];
    const id = group.name;
    const paths = segmentPaths(this.dir, id, sinks.suffix);
    let writer: MatroskaWriter | null = null;
    let timing: TimingCSVWriter;
    try {
      const bytesPerSecond = expectedVideoBytesPerSecond({ filePixelFormat: 'mjpeg' }, this.modeNow);
      const video = await sinks.open(videoFile.path, videoFile.handle, 'segment', { bytesPerSecond });
      writer = await MatroskaWriter.open({
        path: paths.videoPath, ...this.modeNow, queueMaxFrames: this.options.queueMaxFrames ?? RING_DEFAULTS.queueMaxFrames,
        openFile: () => Promise.resolve(video),
      });
      timing = await TimingCSVWriter.open(paths.timingPath, {
        trial: 0, deviceId: this.options.deviceId, label: null, flushIntervalMs: TIMING_FLUSH_MS,
        file: await sinks.open(timingFile.path, timingFile.handle, 'timing'),
        onError: (error) => this.logger.warn('segments: timing file failed', { file: paths.timingPath, error: error.message }),
      });
    } catch (err) {
      await writer?.close().catch(() => undefined);
      await removeAll([videoFile, timingFile]);
      throw err;
    }
    const info: SegmentInfo = {
      id, ...paths, open: true,
      firstPtsNs: frame.sensorTimestampNs, lastPtsNs: frame.sensorTimestampNs,
      firstEpochMs: epochMs, lastEpochMs: epochMs, frames: 0, bytes: 0,
      offsetNs: unixNs - frame.sensorTimestampNs,
    };
    const segment: OpenSegment = { info, writer, timing, rows: [], sizes: [], firstNs: frame.sensorTimestampNs, lost: 0 };
    writer.on('committed', (count) => this.onCommitted(segment, count));
    writer.on('error', (error) => {
      this.emit('error', error);
      if (this.current === segment) this.pause(error);
    });
    this.segments.push(info);
    this.liveRows.set(id, segment.rows);
    this.announcer.opened(info.videoPath, 'segment');
    this.announcer.opened(info.timingPath, 'timing');
    this.emit('segment_opened', info);
    return segment;
  }

  private write(segment: OpenSegment, frame: CapturedFrame, hubDropped: number): void {
    const pts = segment.writer.write(frame);
    if (pts === null) {
      segment.lost += 1 + frame.droppedBefore + hubDropped;
      this.framesDropped += 1;
      return;
    }
    const droppedBefore = segment.lost + frame.droppedBefore + hubDropped;
    segment.lost = 0;
    segment.rows.push({ sensorTimestampNs: frame.sensorTimestampNs, unixNs: toMicros(frame.arrival.unixNs), monoNs: frame.arrival.monoNs, videoPts: pts, droppedBefore });
    segment.sizes.push(frame.data.length + FRAME_OVERHEAD_BYTES);
    segment.timing.add({
      recordTime: frame.arrival, frameIndex: segment.rows.length, sensorTimestampNs: frame.sensorTimestampNs,
      videoPts: pts, droppedBefore, videoFile: path.basename(segment.info.videoPath),
    });
  }

  private onCommitted(segment: OpenSegment, count: number): void {
    const info = segment.info;
    if (count <= info.frames) return;
    segment.timing.commit(count - info.frames);
    for (let i = info.frames; i < count; i += 1) {
      const row = segment.rows[i]!;
      const offset = row.unixNs - row.sensorTimestampNs;
      if (offset < info.offsetNs) info.offsetNs = offset;
      info.bytes += segment.sizes[i]!;
    }
    const last = segment.rows[count - 1]!;
    info.lastPtsNs = last.sensorTimestampNs;
    info.lastEpochMs = nsToEpochMs(last.unixNs);
    info.frames = count;
    this.emit('committed', info);
  }

  /** Starts closing the open segment; null if none was open. */
  private sealCurrent(): { info: SegmentInfo; done: Promise<void> } | null {
    const segment = this.current;
    if (segment === null) return null;
    this.current = null;
    const done = this.seal(segment);
    this.sealing.add(done);
    void done.finally(() => this.sealing.delete(done));
    return { info: segment.info, done };
  }

  private async seal(segment: OpenSegment): Promise<void> {
    const { info } = segment;
    try {
      await segment.writer.close();
    } catch (err) {
      this.logger.warn('segments: closing a segment failed', { file: info.videoPath, error: String(err) });
    }
    try {
      await segment.timing.close();
    } catch (err) {
      this.logger.warn('segments: closing a timing file failed', { file: info.timingPath, error: String(err) });
    }
    info.open = false;
    if (info.frames === 0) {
      this.segments = this.segments.filter((entry) => entry !== info);
      this.liveRows.delete(info.id);
      await removeSegmentFiles(info, this.logger);
      const none = { frames: 0, firstSensorTimestampNs: null, lastSensorTimestampNs: null, removed: true } as const;
      await this.announcer.closed(info.videoPath, 'segment', none);
      await this.announcer.closed(info.timingPath, 'timing', none);
      return;
    }
    info.bytes = (await sizeOrZero(info.videoPath)) + (await sizeOrZero(info.timingPath));
    // Final now: retention may delete them later, which is not announced again (README).
    const facts = { frames: info.frames, firstSensorTimestampNs: info.firstPtsNs, lastSensorTimestampNs: info.lastPtsNs };
    await this.announcer.closed(info.videoPath, 'segment', facts);
    await this.announcer.closed(info.timingPath, 'timing', facts);
    this.liveRows.delete(info.id);
    this.rowsCache.set(info.id, segment.rows.slice(0, info.frames));
    if (this.rowsCache.size > ROWS_CACHE) this.rowsCache.delete(this.rowsCache.keys().next().value!);
    this.emit('segment_sealed', info);
    await this.applyRetention();
  }

  /** Deletes the oldest sealed, unheld segments beyond the age or byte limit. Never runs twice at once. */
  applyRetention(): Promise<void> {
    if (this.retention !== null) {
      this.retentionAgain = true;
      return this.retention;
    }
    this.retention = (async () => {
      do {
        this.retentionAgain = false;
        await this.retainOnce();
      } while (this.retentionAgain);
    })().finally(() => {
      this.retention = null;
    });
    return this.retention;
  }

  private async retainOnce(): Promise<void> {
    const oldestKept = (this.options.now ?? Date.now)() - this.retainMs;
    let total = this.segments.reduce((sum, segment) => sum + segment.bytes, 0);
    for (const segment of [...this.segments]) {
      if (segment.open) continue;
      const reason = segment.lastEpochMs < oldestKept ? 'age' : this.retainMaxBytes !== null && total > this.retainMaxBytes ? 'bytes' : null;
      if (reason === null) break;
      if (this.pins.has(segment.id)) continue;
      this.segments = this.segments.filter((entry) => entry !== segment);
      this.scanners.delete(segment.id);
      this.rowsCache.delete(segment.id);
      total -= segment.bytes;
      await removeSegmentFiles(segment, this.logger);
      this.emit('segment_deleted', segment, reason);
    }
  }

  /** One free-space reading; when critical, pauses the ring (unless already paused) and answers false. */
  private async storageAllows(): Promise<boolean> {
    const storage = this.options.storage;
    if (!storage) return true;
    this.lastStorageCheckMs = performance.now();
    let reading: DiskReading;
    try {
      reading = await storage.guard.read(this.dir, storage.thresholds);
    } catch (err) {
      this.logger.warn('segments: free-space check failed', { dir: this.dir, error: String(err) });
      return true;
    }
    const rising = reading.level !== this.lastStorageLevel && reading.level !== 'ok';
    this.lastStorageLevel = reading.level;
    if (rising) this.emit('storage', reading);
    if (reading.level === 'critical') {
      if (this.stateNow === 'running') this.pause(null, `storage critical: ${reading.usedPercent.toFixed(1)} % used, ${reading.freeGb.toFixed(2)} GB free`);
      return false;
    }
    return true;
  }

  private recheckStorage(): void {
    const interval = this.options.storage?.checkIntervalMs ?? RING_DEFAULTS.checkIntervalMs;
    if (this.storageCheck !== null || performance.now() - this.lastStorageCheckMs < interval) return;
    this.lastStorageCheckMs = performance.now();
    this.storageCheck = (async () => {
      // Without a guard the pause came from a failed write: try a new segment.
      const allowed = this.options.storage ? await this.storageAllows() : true;
      if (allowed && this.stateNow === 'paused_storage') this.setState('running', null);
    })().finally(() => {
      this.storageCheck = null;
    });
  }

  /** Stops writing cleanly (the open segment is sealed); frames are ignored until storage allows again. */
  private pause(error: ModuleError | null, reason = error?.message ?? 'storage'): void {
    if (this.stateNow === 'stopped') return;
    this.logger.warn('segments: ring paused', { reason });
    this.lastStorageCheckMs = performance.now();
    this.setState('paused_storage', reason);
    this.sealCurrent();
  }

  private setState(state: RingState, reason: string | null): void {
    if (state === this.stateNow && reason === this.stateReason) return;
    this.stateNow = state;
    this.stateReason = reason;
    this.emit('state', state, reason);
  }
}

/** The wall clock as the timing CSV keeps it (µs, rounded half away from zero), so memory and files agree. */
function toMicros(ns: bigint): bigint {
  return ((ns + 500n) / 1000n) * 1000n;
}

