import { EventEmitter } from 'eventemitter3';
import type { CapturedFrame } from '../../camera_core/types.js';
import type { ModuleError } from '../../errors/codes.js';
import type { VideoFileSummary, VideoWriter, VideoWriterEvents } from '../types.js';
import { storageWriteError } from '../../errors/write_errors.js';
import { APP_NAME, MatroskaMuxer, type MatroskaTrack } from './matroska_muxer.js';
import { PtsClock } from './pts_clock.js';
import { openNewFile, writeFullyAt, type OpenWritableFile, type WritableFile } from './writable_file.js';
import { skipBytes } from '../../crypto/byte_queue.js';
import { isAppendOnly } from '../sinks/append_only_file.js';

export interface MatroskaWriterOptions {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly queueMaxFrames: number;
  /** Defaults to a new file opened with 'wx'. */
  readonly openFile?: OpenWritableFile;
  /** How long frames wait to be written together (default COALESCE_MS; 0 writes each at once). */
  readonly coalesceMs?: number;
}

interface QueuedFrame {
  readonly buffers: Buffer[];
  readonly length: number;
}

/** Frames written by one writev when the disk fell behind; far below IOV_MAX (1024). */
const MAX_FRAMES_PER_WRITEV = 64;
/**
 * Frames wait this long to be written together: one write per ~3 frames at 30 fps instead
 * of one per frame halves node's CPU for writing (each write is a thread-pool round trip).
 * A kill -9 can lose these last frames; the timing CSV never holds a row for them.
 */
const COALESCE_MS = 100;
/**
 * Dirty pages are pushed to the device about once a second: a power cut then loses about
 * a second of video, and close() does not wait for half a minute of page cache to flush.
 */
const SYNC_INTERVAL_MS = 1000;

/**
 * MJPEG frames stored as they came, in Matroska, by node itself. Every frame is one
 * SimpleBlock (block header + the frame's own Buffer, never copied), appended in order by
 * one writev per ~100 ms; the Segment and Clusters have unknown sizes until close, so a
 * kill -9 at any moment leaves a playable file holding exactly the frames fully written.
 *
 * Into an append-only file (encrypted) nothing is patched at close (no Cues, SeekHead or
 * Duration: the timing CSV is the index), nothing is truncated, and a frame counts as
 * committed only once the file says its last byte is durable (a full Tink segment written).
 */
export class MatroskaWriter extends EventEmitter<VideoWriterEvents> implements VideoWriter {
  readonly passthrough = true;
  readonly timebase = { num: 1, den: 1000 } as const;
  private readonly pts = new PtsClock();
  private readonly queue: QueuedFrame[] = [];
  private framesInFlight = 0;
  private pumping: Promise<void> | null = null;
  /** End of the last frame known to be completely written. */
  private committedBytes: number;
  private framesCommitted = 0;
  private framesDropped = 0;
  private failure: ModuleError | null = null;
  private closing: Promise<VideoFileSummary> | null = null;
  private syncing: Promise<void> | null = null;
  private lastSyncMs = performance.now();
  /** End offsets of frames written to the file but not yet durable (append-only files). */
  private readonly pendingEnds: number[] = [];
  private readonly appendOnly: boolean;

  private constructor(
    readonly path: string,
    private readonly file: WritableFile,
    private readonly muxer: MatroskaMuxer,
    private readonly queueMaxFrames: number,
    private readonly coalesceMs: number,
  ) {
    super();
    this.committedBytes = muxer.header.length;
    this.appendOnly = isAppendOnly(file);
  }

  /** Creates the file and writes the header; rejects with ENCODER_FAILED if it cannot. */
  static async open(options: MatroskaWriterOptions): Promise<MatroskaWriter> {
    const track: MatroskaTrack = { width: options.width, height: options.height, fps: options.fps, codecId: 'V_MJPEG' };
    let file: WritableFile;
    try {
      file = await (options.openFile ?? openNewFile)(options.path);
    } catch (err) {
      throw storageWriteError(err, options.path, 'creating');
    }
    const muxer = new MatroskaMuxer(track, { appName: APP_NAME, seekable: !isAppendOnly(file) });
    try {
      await writeFullyAt(file, muxer.header, 0);
    } catch (err) {
      await file.close().catch(() => undefined); // the write error is the one worth reporting
      throw storageWriteError(err, options.path, 'writing the header of');
    }
    return new MatroskaWriter(options.path, file, muxer, Math.max(1, options.queueMaxFrames), options.coalesceMs ?? COALESCE_MS);
  }

  /** Ends the coalescing wait early (close, or a full batch). */
  private coalescing: (() => void) | null = null;

  get queueDepth(): number {
    return this.queue.length + this.framesInFlight;
  }

  write(frame: CapturedFrame): number | null {
    if (this.failure !== null || this.closing !== null || this.queueDepth >= this.queueMaxFrames) {
      this.framesDropped += 1;
      return null;
    }
    const pts = this.pts.next(frame.sensorTimestampNs);
    const buffers = this.muxer.block(pts, frame.data);
    let length = 0;
    for (const buffer of buffers) length += buffer.length;
    this.queue.push({ buffers, length });
    this.pumping ??= this.coalesceMs > 0 ? this.pumpSoon() : this.pump();
    if (this.queue.length >= MAX_FRAMES_PER_WRITEV) this.coalescing?.();
    return pts;
  }

  close(): Promise<VideoFileSummary> {
    this.coalescing?.();
    this.closing ??= this.finishFile();
    return this.closing;
  }

  private async pumpSoon(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.coalesceMs);
      this.coalescing = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.coalescing = null;
    await this.pump();
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0 && this.failure === null) {
        const batch = this.queue.splice(0, MAX_FRAMES_PER_WRITEV);
        this.framesInFlight = batch.length;
        await this.writeBatch(batch);
        this.framesInFlight = 0;
        this.syncInBackground();
      }
    } finally {
      this.framesInFlight = 0;
      this.pumping = null;
    }
  }

  private async writeBatch(batch: readonly QueuedFrame[]): Promise<void> {
    const buffers = batch.flatMap((frame) => frame.buffers);
    const start = this.committedBytes;
    let total = 0;
    for (const frame of batch) total += frame.length;
    let written = 0;
    let framesDone = 0;
    let frameEnd = 0;
    // Append-only: the file takes the batch whole or fails part way; a frame is in it once durable.
    if (this.appendOnly) this.awaitDurable(batch, start);
    try {
      while (written < total) {
        const { bytesWritten } = await this.file.writev(skipBytes(buffers, written), start + written);
        if (bytesWritten <= 0) throw new Error(`writev made no progress at offset ${start + written}`);
        written += bytesWritten;
        const before = framesDone;
        while (framesDone < batch.length && frameEnd + batch[framesDone]!.length <= written) {
          frameEnd += batch[framesDone]!.length;
          framesDone += 1;
        }
        if (framesDone > before) this.written(batch.slice(before, framesDone), start + frameEnd);
      }
    } catch (err) {
      // Segments written before the failure keep their frames.
      if (isAppendOnly(this.file)) this.commitDurable(this.file.durableBytes());
      await this.fail(err);
    }
  }

  private syncInBackground(): void {
    if (this.syncing !== null || this.failure !== null || performance.now() - this.lastSyncMs < SYNC_INTERVAL_MS) return;
    this.lastSyncMs = performance.now();
    this.syncing = this.file.datasync().then(
      () => undefined,
      (err: unknown) => {
        // Frames already written stay valid; stop taking new ones, the device is failing.
        this.failure ??= storageWriteError(err, this.path, 'flushing video to');
        this.queue.length = 0;
        this.emit('error', this.failure);
      },
    ).finally(() => {
      this.syncing = null;
    });
  }

  /** Frames whose bytes the file took: committed at once, or (append-only) once durable. */
  private written(frames: readonly QueuedFrame[], endOffset: number): void {
    this.committedBytes = endOffset;
    if (isAppendOnly(this.file)) this.commitDurable(this.file.durableBytes());
    else this.commit(frames.length);
  }

  /** Notes where each frame of a batch starting at `start` ends, to commit it once that is durable. */
  private awaitDurable(batch: readonly QueuedFrame[], start: number): void {
    let end = start;
    for (const frame of batch) {
      end += frame.length;
      this.pendingEnds.push(end);
    }
  }

  /** Frames whose last byte lies within the first `durable` bytes are in the file for good. */
  private commitDurable(durable: number): void {
    let frames = 0;
    while (this.pendingEnds.length > 0 && this.pendingEnds[0]! <= durable) {
      this.pendingEnds.shift();
      frames += 1;
    }
    if (frames > 0) this.commit(frames);
  }

  private commit(frames: number): void {
    this.framesCommitted += frames;
    this.emit('committed', this.framesCommitted);
  }

  /** Cuts a partly written frame off the end so the file holds complete frames only. */
  private async fail(err: unknown): Promise<void> {
    this.failure = storageWriteError(err, this.path, 'writing video to');
    this.queue.length = 0;
    if (this.appendOnly) {
      // Nothing can be cut: the segments on disk end where the failing write began, and
      // frames count only up to what is durable.
      this.emit('error', this.failure);
      return;
    }
    try {
      await this.file.truncate(this.committedBytes);
    } catch (truncateError) {
      this.failure = storageWriteError(truncateError, this.path, 'truncating the partial frame in');
    }
    this.emit('error', this.failure);
  }

  private async finishFile(): Promise<VideoFileSummary> {
    while (this.pumping !== null) await this.pumping;
    if (this.syncing !== null) await this.syncing;
    if (this.failure === null && !this.appendOnly) await this.writeIndex();
    if (this.appendOnly && this.failure !== null) {
      // Already reported; the file keeps its written segments and reads as truncated (--allow-truncated).
      await this.file.close().catch(() => undefined);
    } else {
      try {
        await this.file.sync();
      } finally {
        await this.file.close();
      }
    }
    // Closed cleanly, an append-only file holds everything given to it (its last segment).
    if (this.appendOnly && this.failure === null) this.commitDurable(this.committedBytes);
    return { path: this.path, frames: this.framesCommitted, bytes: this.committedBytes, framesDropped: this.framesDropped };
  }

  /** Cues, SeekHead, Duration and Segment size; without them the file still plays, unindexed. */
  private async writeIndex(): Promise<void> {
    const last = this.pts.last;
    const durationMs = last < 0 ? null : last + this.muxer.frameDurationMs;
    const { tail, patches } = this.muxer.finalize(durationMs);
    try {
      await writeFullyAt(this.file, tail, this.committedBytes);
    } catch (err) {
      this.failure = storageWriteError(err, this.path, 'writing the index of');
      await this.file.truncate(this.committedBytes).catch((truncateError: unknown) => {
        this.failure = storageWriteError(truncateError, this.path, 'truncating the partial index of');
      });
      this.emit('error', this.failure);
      return;
    }
    this.committedBytes += tail.length;
    try {
      // In-place rewrites of reserved bytes: they need no new disk space.
      for (const patch of patches) await writeFullyAt(this.file, patch.data, patch.position);
    } catch (err) {
      this.failure = storageWriteError(err, this.path, 'finalizing the header of');
      this.emit('error', this.failure);
    }
  }
}
