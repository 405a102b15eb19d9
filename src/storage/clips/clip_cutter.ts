import { link, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../errors/errno.js';
import type { Logger } from '../../logging/logger.js';
import { csvTextCell } from '../csv_formula.js';
import { PtsClock } from '../mkv/pts_clock.js';
import type { ReservedFile } from '../name_reserver.js';
import type { PlaintextSource } from '../segments/plaintext_source.js';
import { RingAnnouncer, type RingFiles } from '../segments/ring_files.js';
import type { SegmentInfo } from '../segments/segment_files.js';
import type { SegmentRing } from '../segments/segment_ring.js';
import { plaintextName } from '../sinks/file_sinks.js';
import { TimingCSVWriter } from '../timing_writer.js';
import type { ClipDiskCheck } from './clip_disk.js';
import type { ClipFolder } from './clip_folder.js';
import type { ClipJob } from './clip_job.js';
import { inTimeline, overlaps, segmentRange, type ClipWindow } from './clip_window.js';
import { Mp4ClipWriter } from './mp4_writer.js';

/** A job as the cutter runs it. */
export interface ClipTask {
  readonly job: ClipJob;
  readonly maxWaitMs: number;
  /** The target folder, opened when the job was accepted. */
  readonly folder: ClipFolder;
  /** Segments that held part of the window when the job was accepted: each must still be there when read. */
  readonly segmentIds: readonly string[];
  /** Bytes the clip is expected to take (checked against the disk guard before and while writing). */
  readonly estimateBytes: number;
  readonly signal: AbortSignal;
}

export interface ClipCutterOptions {
  readonly ring: SegmentRing;
  readonly files: RingFiles;
  readonly deviceId: string;
  readonly mode: () => { readonly width: number; readonly height: number; readonly fps: number };
  readonly disk: ClipDiskCheck;
  readonly logger: Logger;
  readonly onBatch?: ((job: ClipJob) => Promise<void>) | undefined;
}

const FRAMES_PER_BATCH = 32;
const WAIT_SLICE_MS = 250;
/** Free space is read again after this many bytes, and at every segment. */
const DISK_RECHECK_BYTES = 16 * 1024 * 1024;
export const PARTIAL_MARK = '.partial-';

/** Thrown inside a job when a check fails; its message is the job's. */
class ClipJobFailure extends Error {}

/**
 * Runs one clip job: cuts the frames whose pts lies in the window out of the ring's segments
 * (the open one's committed frames included), pinning only the segment it is reading, and
 * stores them by stream copy in an MP4 plus a timing CSV with the original sensor timestamps.
 * Files are written under temp names created exclusively in the job's folder (through its
 * handle) and linked to their final names (never over an existing file) only when complete;
 * a failed or cancelled job leaves nothing behind.
 */
export class ClipCutter {
  private readonly announcer: RingAnnouncer;

  constructor(private readonly options: ClipCutterOptions) {
    this.announcer = new RingAnnouncer(options.files, options.logger);
  }

  /** Runs the job to done, error or cancelled (never throws). */
  async run(task: ClipTask): Promise<void> {
    const { job, folder, signal } = task;
    job.status = 'running';
    const { sinks } = this.options.files;
    const temps: string[] = [];
    let video: Mp4ClipWriter | null = null;
    let timing: TimingCSVWriter | null = null;
    let announced = false;
    const sources = new Map<string, PlaintextSource>();
    const progress = { written: 0, sinceCheck: 0 };
    // Told to the job only once its temp files are gone, so a client that sees it finished sees no leftovers.
    let outcome: { status: 'done' | 'error' | 'cancelled'; message: string | null } = { status: 'error', message: 'clip job ended unexpectedly' };
    try {
      this.checkNoneLost(task);
      await this.checkDisk(task, progress.written);
      signal.throwIfAborted();
      const tmpVideo = await this.reserveTemp(folder, job.path, job.clipId, temps);
      const tmpTiming = await this.reserveTemp(folder, job.timingPath, job.clipId, temps);
      video = await Mp4ClipWriter.create(tmpVideo.path, this.options.mode(), await sinks.open(tmpVideo.path, tmpVideo.handle, 'clip'));
      timing = await TimingCSVWriter.open(tmpTiming.path, {
        // A label is free text in a CSV cell: one that starts like a formula is kept as text.
        trial: 0, deviceId: this.options.deviceId, label: job.label === null ? null : csvTextCell(job.label),
        file: await sinks.open(tmpTiming.path, tmpTiming.handle, 'timing'),
      });
      this.announcer.opened(job.path, 'clip');
      this.announcer.opened(job.timingPath, 'timing');
      announced = true;
      const read = new Map<string, number>();
      const clock = new PtsClock();
      const deadline = job.submittedMs + task.maxWaitMs;
      const ring = this.options.ring;
      for (;;) {
        // Frames committed before this point are all looked at in this pass.
        const newest = newestInTimeline(ring, job.window);
        const newestPts = newest?.lastPtsNs ?? null;
        for (const segment of ring.list().filter((entry) => entry.frames > 0 && overlaps(job.window, entry))) {
          signal.throwIfAborted();
          const release = this.pin(segment);
          try {
            await this.checkDisk(task, progress.written);
            await this.cutFrom(task, segment, read, clock, video, timing, sources, progress);
          } finally {
            release();
          }
        }
        const end = newest === null ? null : segmentRange(job.window, newest)?.toNs ?? null;
        if (newestPts !== null && end !== null && newestPts >= end) break;
        if (ring.state !== 'running' || Date.now() >= deadline) break;
        await waitForFrames(ring, Math.min(WAIT_SLICE_MS, deadline - Date.now()), signal);
        signal.throwIfAborted();
      }
      if (video.frames === 0) throw new ClipJobFailure('no frames in the requested window');
      await video.finish();
      await timing.close();
      timing = null;
      signal.throwIfAborted();
      await this.linkIntoPlace(folder, tmpTiming.path, job.timingPath);
      try {
        await this.linkIntoPlace(folder, tmpVideo.path, job.path);
      } catch (err) {
        await unlink(await folder.pathFor(path.basename(job.timingPath))).catch(() => undefined); // ours, linked a moment ago
        throw err;
      }
      outcome = { status: 'done', message: null };
      const facts = { frames: job.frames, firstSensorTimestampNs: job.firstPtsNs, lastSensorTimestampNs: job.lastPtsNs };
      await this.announcer.closed(job.path, 'clip', facts);
      await this.announcer.closed(job.timingPath, 'timing', facts);
    } catch (err) {
      if (signal.aborted) {
        outcome = { status: 'cancelled', message: signal.reason instanceof Error ? signal.reason.message : 'cancelled' };
      } else {
        outcome = { status: 'error', message: folder.readable(err instanceof Error ? err.message : String(err)) };
        this.options.logger.warn('clips: job failed', { clip_id: job.clipId, error: outcome.message });
      }
      await video?.close().catch(() => undefined);
      await timing?.close().catch(() => undefined);
      if (announced) {
        const none = { frames: 0, firstSensorTimestampNs: null, lastSensorTimestampNs: null, removed: true } as const;
        await this.announcer.closed(job.path, 'clip', none);
        await this.announcer.closed(job.timingPath, 'timing', none);
      }
    } finally {
      for (const source of sources.values()) await source.close().catch(() => undefined);
      for (const file of temps) {
        await unlink(file).catch((err: unknown) => {
          if (errnoCode(err) !== 'ENOENT') this.options.logger.warn('clips: temp file not removed', { file: folder.readable(file), error: String(err) });
        });
      }
      await folder.close().catch(() => undefined);
      job.status = outcome.status;
      job.message = outcome.message;
      job.finishedMs = Date.now();
    }
  }

  /** Fails the job when a segment that held part of its window is gone (retention took it while the job was queued). */
  private checkNoneLost(task: ClipTask): void {
    const present = new Set(this.options.ring.list().map((segment) => segment.id));
    const lost = task.segmentIds.find((id) => !present.has(id));
    if (lost !== undefined) throw lostSegment(lost);
  }

  /** Keeps retention away from this segment while it is read; fails the job when it is already gone. */
  private pin(segment: SegmentInfo): () => void {
    const ring = this.options.ring;
    const release = ring.acquire([segment.id]);
    if (!ring.list().includes(segment)) {
      release();
      throw lostSegment(segment.id);
    }
    return release;
  }

  private async checkDisk(task: ClipTask, written: number): Promise<void> {
    const refusal = await this.options.disk.refusal(task.folder.real, Math.max(0, task.estimateBytes - written));
    if (refusal !== null) throw new ClipJobFailure(refusal);
  }

  /**
   * `.<final name>.partial-<clip id>` (plus `.enc` when encrypting: every file in an encrypted
   * clips folder ends in `.enc`), created exclusively; noted in `temps` for removal.
   */
  private async reserveTemp(folder: ClipFolder, finalPath: string, clipId: string, temps: string[]): Promise<ReservedFile> {
    const suffix = this.options.files.sinks.suffix;
    const plain = plaintextName(path.basename(finalPath), suffix);
    const dir = path.dirname(await folder.pathFor(path.basename(finalPath)));
    const reserved = await this.options.files.reserver.reserveFile(dir, `.${plain}${PARTIAL_MARK}${clipId}`, suffix);
    temps.push(reserved.path);
    return reserved;
  }

  /** Gives a complete temp file its final name without ever replacing an existing file. */
  private async linkIntoPlace(folder: ClipFolder, tmp: string, final: string): Promise<void> {
    try {
      await link(tmp, await folder.pathFor(path.basename(final)));
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') throw new ClipJobFailure(`${final} already exists; the clip was not written over it`);
      throw err;
    }
    await unlink(tmp);
  }

  /** Appends the segment's frames in the window that this job has not looked at yet. */
  private async cutFrom(
    task: ClipTask, segment: SegmentInfo, read: Map<string, number>, clock: PtsClock,
    video: Mp4ClipWriter, timing: TimingCSVWriter, sources: Map<string, PlaintextSource>, progress: { written: number; sinceCheck: number },
  ): Promise<void> {
    const { job, signal } = task;
    const range = segmentRange(job.window, segment);
    if (range === null) return;
    const { rows, blocks } = await this.options.ring.frames(segment);
    let index = read.get(segment.id) ?? 0;
    if (index >= rows.length) return;
    const offset = segment.offsetNs;
    let batch: Array<{ row: (typeof rows)[number]; block: (typeof blocks)[number] }> = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await this.options.onBatch?.(job);
      signal.throwIfAborted();
      if (progress.sinceCheck >= DISK_RECHECK_BYTES) {
        progress.sinceCheck = 0;
        await this.checkDisk(task, progress.written);
      }
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
        progress.written += block.size;
        progress.sinceCheck += block.size;
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
    read.set(segment.id, index);
  }
}

function lostSegment(id: string): ClipJobFailure {
  return new ClipJobFailure(`segment ${id}, part of the clip's window, was deleted by retention before the job could read it `
    + '(the ring keeps segments.retain_max_bytes and segments.retain_minutes); no clip was written');
}

/** The segment of the window's timeline with the latest frame (whose lastPtsNs says how far recording got). */
export function newestInTimeline(ring: SegmentRing, window: ClipWindow): SegmentInfo | null {
  return ring.list().filter((segment) => segment.frames > 0 && inTimeline(segment, window.timelineOffsetNs)).at(-1) ?? null;
}

/** Whether the end of the window is recorded already. */
export function windowRecorded(ring: SegmentRing, window: ClipWindow): boolean {
  const newest = newestInTimeline(ring, window);
  if (newest === null) return false;
  const end = segmentRange(window, newest)?.toNs ?? null;
  return end !== null && newest.lastPtsNs >= end;
}

/** Until the ring commits more frames, `ms` pass or the job is cancelled. */
function waitForFrames(ring: SegmentRing, ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      ring.off('committed', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    ring.once('committed', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
