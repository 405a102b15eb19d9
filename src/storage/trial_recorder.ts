import { existsSync } from 'node:fs';
import { EventEmitter } from 'eventemitter3';
import type { CapturedFrame } from '../camera_core/types.js';
import { framesMissedBetween } from '../camera_core/frame_timing.js';
import { ModuleError, toModuleError } from '../errors/codes.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { Clock, ClockSample } from '../time/clock.js';
import { writeMetadataCsv } from './metadata_writer.js';
import { trialMetadata } from './trial_metadata.js';
import { FrameBacklog, rotatedVideoPath, rotationDue, rotationIntervalNs } from './rotation.js';
import { videoPartPath } from './session_paths.js';
import { DefaultTimingWriterFactory, type TimingCSVWriter, type TimingWriterFactory } from './timing_writer.js';
import { RateWindow, trialDuration, type PartSpan } from './trial_figures.js';
import type {
  StopReason, TrialContext, TrialPaths, TrialRecorder, TrialRecorderEvents, TrialRecorderFactory,
  ResumeOptions, TrialRecorderStartOptions, TrialStats, TrialSummary, VideoWriterFactory, VideoWriterOptions,
} from './types.js';
import { forgetLastFrames, newVideoPart, noteAccepted, type VideoPart } from './video_part.js';

export interface TrialRecorderOptions {
  readonly timingWriters?: TimingWriterFactory;
  readonly logger?: Logger;
  /** How often committed timing rows go to disk (at most 500 ms). */
  readonly timingFlushMs?: number;
}

type RecorderDeps = Required<TrialRecorderOptions> & { readonly videoWriters: VideoWriterFactory; readonly clock: Clock };

/** A rotation under way: the old file closing, the next opening, frames waiting for it. */
interface PartSwitch {
  readonly backlog: FrameBacklog;
  readonly done: Promise<void>;
}

/**
 * One trial on disk: video file(s), the timing CSV and the metadata CSV. A timing row is
 * added for every frame the writer accepted and reaches the disk only once the writer
 * reports that frame committed, so rows and frames agree even after a crash. A long trial
 * rotates into timestamped files at a frame boundary; resume continues into `_partN`.
 */
class FileTrialRecorder extends EventEmitter<TrialRecorderEvents> implements TrialRecorder {
  paths: TrialPaths;
  private readonly parts: VideoPart[] = [];
  private timing: TimingCSVWriter | null = null;
  private nextFrameIndex = 1;
  /** Frames lost since the last row (refused frames and their own gaps), for dropped_before. */
  private lostSinceLastRow = 0;
  /** Arrival of the last frame written, from which a resume after a camera loss counts the gap. */
  private lastArrivalNs: bigint | null = null;
  /** Set by resume({ countGap }): the next first frame of a part counts the frames missed since then. */
  private gapSinceNs: bigint | null = null;
  /** Camera losses inside the trial, for the metadata: the frame_index after each gap and the frames missed. */
  private readonly gaps: Array<{ readonly frameIndex: number; readonly framesMissed: number }> = [];
  private framesDropped = 0;
  private readonly rate = new RateWindow();
  private activeNow = false;
  private switching: PartSwitch | null = null;
  private finishing: Promise<TrialSummary> | null = null;
  private lastSummary: TrialSummary | null = null;
  private sealed = false;

  constructor(
    readonly context: TrialContext,
    paths: TrialPaths,
    private readonly writerOptions: TrialRecorderStartOptions['writer'],
    /** Rotation interval (rotationIntervalNs); null: one file. */
    private readonly rotationNs: bigint | null,
    private readonly deps: RecorderDeps,
    private readonly started: ClockSample,
  ) {
    super();
    this.paths = paths;
  }

  get active(): boolean {
    return this.activeNow;
  }

  private get part(): VideoPart | null {
    return this.parts.at(-1) ?? null;
  }

  /** Opens the first file, the timing CSV and the initial metadata. */
  async begin(): Promise<void> {
    const part = await this.openPart(this.paths.videoPath, false);
    this.parts.push(part);
    if (part.path !== this.paths.videoPath) this.paths = { ...this.paths, videoPath: part.path };
    try {
      await this.openTiming(false);
      await this.writeMetadata(null);
    } catch (err) {
      await this.timing?.close().catch((closeError: unknown) => this.logFailure('closing the timing file failed', closeError));
      this.timing = null;
      await this.abandonPart(part);
      throw err;
    }
    this.activeNow = true;
  }

  onFrame(frame: CapturedFrame, lostBefore = 0): void {
    if (!this.activeNow || this.timing === null) return;
    if (lostBefore > 0) {
      this.framesDropped += lostBefore;
      this.lostSinceLastRow += lostBefore;
    }
    if (this.switching !== null) {
      this.holdForNextPart(this.switching.backlog, frame);
      return;
    }
    const part = this.part;
    if (part === null) return;
    if (rotationDue(this.rotationNs, part.firstArrivalNs, frame.arrival.monoNs)) {
      this.rotate(part, frame);
      return;
    }
    this.writeFrame(part, frame);
  }

  stats(): TrialStats {
    const now = this.deps.clock.sample();
    const waiting = this.switching?.backlog.size ?? 0;
    return {
      framesRecorded: this.parts.reduce((sum, part) => sum + part.framesAccepted, 0),
      framesDropped: this.framesDropped,
      queueDepth: this.activeNow ? (this.part?.writer.queueDepth ?? 0) + waiting : 0,
      currentFile: this.part?.path ?? this.paths.videoPath,
      startedUnix: Number(this.started.unixNs / 1000n) / 1e6,
      elapsedSeconds: Number(now.monoNs - this.started.monoNs) / 1e9,
      recordFps: this.rate.perSecond(now.monoNs),
      nextFrameIndex: this.nextFrameIndex,
      videoFiles: this.parts.map((part) => part.path),
      recordedSeconds: trialDuration(this.parts.map((part) => spanOf(part, part.framesAccepted)), this.context.recordMode.fps).durationSeconds,
    };
  }

  finish(reason: StopReason): Promise<TrialSummary> {
    if (this.finishing !== null) return this.finishing;
    if (!this.activeNow) {
      if (this.lastSummary !== null) return Promise.resolve(this.lastSummary);
      return Promise.reject(new ModuleError('NOT_RECORDING', 'The trial is not recording'));
    }
    this.activeNow = false;
    this.finishing = this.closeAll(reason).finally(() => {
      this.finishing = null;
    });
    return this.finishing;
  }

  async seal(): Promise<void> {
    this.sealed = true;
    if (this.finishing !== null) await this.finishing;
  }

  async resume(options: ResumeOptions = {}): Promise<{ readonly videoPath: string; readonly nextFrameIndex: number }> {
    if (this.sealed) throw new ModuleError('INVALID_STATE', 'The trial was sealed and can no longer be resumed');
    if (this.activeNow || this.finishing !== null) {
      throw new ModuleError('INVALID_STATE', 'Only a finished trial can be resumed');
    }
    const part = await this.openPart(this.freePartPath(), false);
    this.parts.push(part);
    try {
      await this.openTiming(true);
    } catch (err) {
      await this.abandonPart(part);
      throw err;
    }
    this.lostSinceLastRow = 0;
    this.gapSinceNs = options.countGap ? this.lastArrivalNs : null;
    this.activeNow = true;
    await this.writeMetadata(null).catch((err: unknown) => this.logFailure('metadata rewrite on resume failed', err));
    return { videoPath: part.path, nextFrameIndex: this.nextFrameIndex };
  }

  private writeFrame(part: VideoPart, frame: CapturedFrame): void {
    const timing = this.timing;
    if (timing === null) return;
    // A gap before the first frame of the first or a resumed file lies outside the recording window,
    // unless the trial was resumed after a camera loss.
    const sourceGap = part.framesSeen === 0 && !part.continuesWindow ? this.gapAfterLoss(frame) : frame.droppedBefore;
    part.framesSeen += 1;
    this.framesDropped += sourceGap;
    const pts = part.writer.write(frame);
    if (pts === null) {
      this.framesDropped += 1;
      this.lostSinceLastRow += sourceGap + 1;
      return;
    }
    timing.add({
      recordTime: frame.arrival,
      frameIndex: this.nextFrameIndex,
      sensorTimestampNs: frame.sensorTimestampNs,
      videoPts: pts,
      droppedBefore: this.lostSinceLastRow + sourceGap,
      videoFile: part.basename,
    });
    this.nextFrameIndex += 1;
    this.lostSinceLastRow = 0;
    noteAccepted(part, frame);
    this.rate.add(frame.arrival.monoNs);
    this.lastArrivalNs = frame.arrival.monoNs;
  }

  /** Frames missed while the camera was away, at the nominal rate (0 unless resume asked to count them). */
  private gapAfterLoss(frame: CapturedFrame): number {
    const since = this.gapSinceNs;
    this.gapSinceNs = null;
    if (since === null) return 0;
    const framesMissed = framesMissedBetween(since, frame.arrival.monoNs, this.context.captureMode.fps);
    this.gaps.push({ frameIndex: this.nextFrameIndex, framesMissed });
    return framesMissed;
  }

  private holdForNextPart(backlog: FrameBacklog, frame: CapturedFrame): void {
    // A refused frame is lost after the backlog's frames: dropped_before of the frame after them says so.
    if (!backlog.push(frame)) this.framesDropped += frame.droppedBefore + 1;
  }

  /** A frame that reaches no file, and the source gap before it. */
  private countLost(frame: CapturedFrame): void {
    const lost = frame.droppedBefore + 1;
    this.framesDropped += lost;
    this.lostSinceLastRow += lost;
  }

  /**
   * Starts the next file at this frame: the current file is finalized while the next one
   * opens, and this frame and those after it wait in a backlog meanwhile. The backlog goes
   * to the new file only once the old one's last rows are settled, so rows stay in order.
   */
  private rotate(previous: VideoPart, firstFrame: CapturedFrame): void {
    const backlog = new FrameBacklog(Math.max(1, this.writerOptions.queueMaxFrames));
    backlog.push(firstFrame);
    previous.closing = true;
    const done = this.switchPart(previous, backlog, firstFrame.arrival.unixNs).catch((err: unknown) => {
      this.logFailure('rotating to the next video file failed', err);
    });
    this.switching = { backlog, done };
  }

  private async switchPart(previous: VideoPart, backlog: FrameBacklog, firstFrameUnixNs: bigint): Promise<void> {
    const nextPath = rotatedVideoPath(this.paths.videoPath, firstFrameUnixNs);
    const [, opened] = await Promise.allSettled([this.closePart(previous), this.openPart(nextPath, true)]);
    await this.settleRows(previous);
    this.switching = null;
    if (opened.status === 'rejected') {
      for (const frame of backlog.drain()) this.countLost(frame);
      this.lostSinceLastRow += backlog.lostAfterLast;
      this.failActive(toModuleError(opened.reason));
      return;
    }
    const next = opened.value;
    this.parts.push(next);
    const nextFrameIndex = this.nextFrameIndex;
    for (const frame of backlog.drain()) this.writeFrame(next, frame);
    this.lostSinceLastRow += backlog.lostAfterLast;
    if (!this.activeNow) return;
    this.emit('rotated', {
      videoPath: next.path, previousVideoPath: previous.path, previousFileFrames: previous.framesInFile,
      fileIndex: this.parts.length, nextFrameIndex,
    });
    await this.writeMetadata(null).catch((err: unknown) => this.logFailure('metadata rewrite on rotation failed', err));
  }

  private async openPart(requestedPath: string, continuesWindow: boolean): Promise<VideoPart> {
    const options: VideoWriterOptions = {
      ...this.writerOptions, path: requestedPath, captureMode: this.context.captureMode, recordMode: this.context.recordMode,
    };
    const part = newVideoPart(await this.deps.videoWriters.open(options), continuesWindow);
    part.writer.on('committed', (count) => this.onCommitted(part, count));
    part.writer.on('error', (error) => this.onWriterError(part, error));
    return part;
  }

  private async openTiming(append: boolean): Promise<void> {
    this.timing = await this.deps.timingWriters.open(this.paths.timingPath, {
      trial: this.context.trialNumber, deviceId: this.context.stableId, label: this.context.trialLabel,
      append, flushIntervalMs: this.deps.timingFlushMs,
      onError: (error) => this.onTimingError(error),
    });
  }

  /** A file opened for nothing (the timing file failed): close it and forget it. */
  private async abandonPart(part: VideoPart): Promise<void> {
    const index = this.parts.indexOf(part);
    if (index >= 0) this.parts.splice(index, 1);
    await part.writer.close().catch((err: unknown) => this.logFailure('closing an unused video file failed', err));
  }

  private onCommitted(part: VideoPart, count: number): void {
    if (part !== this.part || count <= part.framesCommitted) return;
    this.timing?.commit(count - part.framesCommitted);
    part.framesCommitted = count;
  }

  private onWriterError(part: VideoPart, error: ModuleError): void {
    if (part !== this.part || part.closing || !this.activeNow) {
      this.logFailure('video writer reported an error while closing', error);
      return;
    }
    this.failActive(error);
  }

  private onTimingError(error: ModuleError): void {
    if (!this.activeNow) {
      this.logFailure('timing file failed while closing', error);
      return;
    }
    this.failActive(error);
  }

  private failActive(error: ModuleError): void {
    this.finish('encoder_failed').then(
      (summary) => this.emit('failed', error, summary),
      (err: unknown) => this.logFailure('finishing after a writer failure failed', err),
    );
  }

  /** Finalizes a file; framesInFile is what it really holds, even when closing failed. */
  private async closePart(part: VideoPart): Promise<void> {
    part.closing = true;
    try {
      part.framesInFile = (await part.writer.close()).frames;
    } catch (err) {
      this.logFailure('closing the video file failed', err);
      part.framesInFile = await this.framesAfterFailure(part);
    }
    part.closed = true;
  }

  private async framesAfterFailure(part: VideoPart): Promise<number> {
    if (part.writer.countFramesInFile === undefined) return part.framesCommitted;
    try {
      return await part.writer.countFramesInFile();
    } catch (err) {
      this.logFailure('counting the frames of a failed video file failed', err);
      return part.framesCommitted;
    }
  }

  /**
   * Makes the timing rows of a closed file match its frames: rows of frames that never
   * reached it are taken back and their frame indexes given back, so frame_index stays
   * continuous in the next file or a resumed trial.
   */
  private async settleRows(part: VideoPart): Promise<void> {
    const timing = this.timing;
    if (timing === null) return;
    this.onCommitted(part, part.framesInFile);
    let removed = 0;
    if (part.framesInFile < part.framesCommitted) {
      const excess = part.framesCommitted - part.framesInFile;
      try {
        removed += await timing.retractCommitted(excess);
        part.framesCommitted = part.framesInFile;
      } catch (err) {
        this.logFailure(`taking back ${excess} timing rows failed`, err);
      }
    }
    removed += timing.discardUncommitted();
    this.framesDropped += removed;
    this.nextFrameIndex -= removed;
    forgetLastFrames(part, removed);
  }

  private async closeAll(reason: StopReason): Promise<TrialSummary> {
    if (this.switching !== null) await this.switching.done;
    const part = this.part;
    if (part !== null && !part.closed) {
      await this.closePart(part);
      await this.settleRows(part);
    }
    if (this.timing !== null) {
      await this.timing.close().catch((err: unknown) => this.logFailure('closing the timing file failed', err));
      this.timing = null;
    }
    const ended = this.deps.clock.sample();
    const summary = this.summarize(reason);
    await this.writeMetadata(ended, summary).catch((err: unknown) => this.logFailure('final metadata write failed', err));
    this.lastSummary = summary;
    return summary;
  }

  private summarize(reason: StopReason): TrialSummary {
    const spans = this.parts.map((part) => spanOf(part, part.framesInFile));
    const { durationSeconds, actualFps } = trialDuration(spans, this.context.recordMode.fps);
    return {
      framesRecorded: spans.reduce((sum, span) => sum + span.frames, 0),
      framesDropped: this.framesDropped,
      durationSeconds,
      actualFps,
      paths: this.paths,
      videoFiles: this.parts.map((part) => part.path),
      reason,
    };
  }

  private freePartPath(): string {
    for (let n = this.parts.length + 1; ; n += 1) {
      const candidate = videoPartPath(this.paths.videoPath, n);
      if (!existsSync(candidate)) return candidate;
    }
  }

  private writeMetadata(ended: ClockSample | null, summary?: TrialSummary): Promise<void> {
    return writeMetadataCsv(this.paths.metadataPath, trialMetadata({
      context: this.context, paths: this.paths, codec: this.writerOptions.codec,
      passthrough: this.parts[0]?.writer.passthrough ?? false, startedUnixNs: this.started.unixNs,
      endedUnixNs: ended?.unixNs ?? null, summary: summary ?? null,
      videoFiles: this.parts.map((part) => part.basename), gaps: this.gaps,
    }));
  }

  private logFailure(message: string, err: unknown): void {
    const error = toModuleError(err);
    this.deps.logger.error(`trial ${this.context.trialNumber}: ${message}: ${error.message}`, {
      camera_id: this.context.cameraId, code: error.code,
    });
  }
}

function spanOf(part: VideoPart, frames: number): PartSpan {
  return { frames, firstSensorNs: part.firstSensorNs, lastSensorNs: part.lastSensorNs };
}

/** Starts trials; the runtime calls start() on record and keeps the recorder for resume. */
export class DefaultTrialRecorderFactory implements TrialRecorderFactory {
  private readonly deps: RecorderDeps;

  constructor(videoWriters: VideoWriterFactory, clock: Clock, options: TrialRecorderOptions = {}) {
    this.deps = {
      videoWriters,
      clock,
      timingWriters: options.timingWriters ?? new DefaultTimingWriterFactory(),
      logger: options.logger ?? silentLogger,
      timingFlushMs: options.timingFlushMs ?? 250,
    };
  }

  async start(options: TrialRecorderStartOptions): Promise<TrialRecorder> {
    const recorder = new FileTrialRecorder(
      options.context, options.paths, options.writer, rotationIntervalNs(options.rotation ?? null), this.deps, this.deps.clock.sample(),
    );
    await recorder.begin();
    return recorder;
  }
}
