import { EventEmitter } from 'eventemitter3';
import type { CapturedFrame } from '../camera_core/types.js';
import { ModuleError, toModuleError } from '../errors/codes.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { Clock, ClockSample } from '../time/clock.js';
import { FileLifecycle } from './file_lifecycle.js';
import { FrameAccount } from './frame_account.js';
import { writeMetadataCsv, writeMetadataInto } from './metadata_writer.js';
import { NameReserver, removeAll, type ReservedFile } from './name_reserver.js';
import { decideRecordingFormat, type RecordingFormat } from '../camera_core/recording_format.js';
import { trialMetadata } from './trial_metadata.js';
import { FrameBacklog, rotationDue, rotationIntervalNs } from './rotation.js';
import { DefaultTimingWriterFactory, type TimingCSVWriter, type TimingWriterFactory } from './timing_writer.js';
import { NO_FRAMES, TrialFiles } from './trial_files.js';
import { trialDuration, type PartSpan } from './trial_figures.js';
import { monoMs, RateMeter } from '../camera_core/rate_meter.js';
import type {
  StopReason, TrialContext, TrialPaths, TrialRecorder, TrialRecorderEvents, TrialRecorderFactory,
  ResumeOptions, TrialRecorderStartOptions, TrialStats, TrialSummary, VideoWriterFactory, VideoWriterOptions,
} from './types.js';
import { closeVideoPart, forgetLastFrames, newVideoPart, noteAccepted, type VideoPart } from './video_part.js';
import { PLAIN_FILES, plaintextName, type FileSinks } from './sinks/file_sinks.js';
import { expectedVideoBytesPerSecond } from './sinks/segment_choice.js';

export interface TrialRecorderOptions {
  readonly timingWriters?: TimingWriterFactory;
  readonly logger?: Logger;
  /** How often committed timing rows go to disk (at most 500 ms). */
  readonly timingFlushMs?: number;
  /** Where every file of every trial announces itself (default: a private one nobody listens to). */
  readonly lifecycle?: FileLifecycle;
  /** Chooses and creates file names (default: later suffix '.enc'). */
  readonly reserver?: NameReserver;
  /** What the reserved files are filled through: plain, or encrypted as written (default plain). */
  readonly sinks?: FileSinks;
}

type RecorderDeps = Required<TrialRecorderOptions> & { readonly videoWriters: VideoWriterFactory; readonly clock: Clock };

/** A rotation under way: the old file closing, the next opening, frames waiting for it. */
interface PartSwitch {
  readonly backlog: FrameBacklog;
  readonly done: Promise<void>;
}

type ResumeResult = { readonly videoPath: string; readonly nextFrameIndex: number };

/**
 * One trial on disk: video file(s), the timing CSV and the metadata CSV. A timing row is
 * added for every frame the writer accepted and reaches the disk only once the writer
 * reports that frame in the file, so rows and frames agree even after a crash; rows of
 * frames that miss the file are discarded before they are ever written. A long trial
 * rotates into timestamped files at a frame boundary; resume continues into `_partN`.
 * Each video file is final (file_closed) once closed; the CSVs once the trial is sealed.
 */
class FileTrialRecorder extends EventEmitter<TrialRecorderEvents> implements TrialRecorder {
  paths: TrialPaths;
  private readonly parts: VideoPart[] = [];
  /** Video files deleted because no frame reached them. */
  private readonly removedFiles: string[] = [];
  /** Video files opened so far, removed ones included: `_partN` numbers never repeat. */
  private filesOpened = 0;
  private timing: TimingCSVWriter | null = null;
  private readonly account: FrameAccount;
  /** The same meter as capture fps, so record fps and capture fps compare like for like. */
  private readonly rate = new RateMeter();
  private activeNow = false;
  private switching: PartSwitch | null = null;
  private finishing: Promise<TrialSummary> | null = null;
  private resuming: Promise<ResumeResult> | null = null;
  private sealing: Promise<void> | null = null;
  private lastSummary: TrialSummary | null = null;
  /** The metadata on disk describes the finished trial (end time and totals). */
  private metadataFinal = false;
  private readonly format: RecordingFormat;
  private readonly files: TrialFiles;

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
    this.format = decideRecordingFormat({
      ...writerOptions, captureMode: context.captureMode, recordMode: context.recordMode, appendOnly: deps.sinks.appendOnly,
    });
    this.files = new TrialFiles(deps.reserver, deps.lifecycle, context, deps.logger, deps.sinks.suffix);
    this.account = new FrameAccount(context.captureMode.fps);
  }

  get active(): boolean {
    return this.activeNow;
  }

  private get part(): VideoPart | null {
    return this.parts.at(-1) ?? null;
  }

  /**
   * Creates the three files together, then fills them: the first video file, the timing
   * CSV's header and the initial metadata (the crash-time placeholder). If any step fails
   * all three are removed: a refused trial leaves nothing behind.
   */
  async begin(): Promise<void> {
    const reserved = await this.files.reserveTrial(this.paths, this.format.extension);
    this.paths = reserved.paths;
    let part: VideoPart | null = null;
    try {
      part = await this.openPart(reserved.video, false);
      this.parts.push(part);
      await this.openTiming(reserved.timing);
      const metadata = await this.deps.sinks.open(reserved.metadata.path, reserved.metadata.handle, 'metadata');
      await writeMetadataInto(metadata, reserved.metadata.path, this.metadataRow(null, null));
    } catch (err) {
      if (part !== null) await part.writer.close().catch((closeError: unknown) => this.logFailure('closing an unused video file failed', closeError));
      await this.timing?.close().catch((closeError: unknown) => this.logFailure('closing the timing file failed', closeError));
      this.timing = null;
      this.parts.length = 0;
      await removeAll([reserved.video, reserved.timing, reserved.metadata]);
      throw err;
    }
    this.files.opened(part.path, 'video');
    this.files.opened(this.paths.timingPath, 'timing');
    this.files.opened(this.paths.metadataPath, 'metadata');
    this.activeNow = true;
  }

  onFrame(frame: CapturedFrame, lostBefore = 0): void {
    if (!this.activeNow || this.timing === null) return;
    if (lostBefore > 0) this.account.lostBeforeDelivery(lostBefore);
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
      framesDropped: this.account.framesDropped,
      queueDepth: this.activeNow ? (this.part?.writer.queueDepth ?? 0) + waiting : 0,
      currentFile: this.part?.path ?? this.paths.videoPath,
      startedUnix: Number(this.started.unixNs / 1000n) / 1e6,
      elapsedSeconds: Number(now.monoNs - this.started.monoNs) / 1e9,
      recordFps: this.rate.rate(monoMs(now.monoNs)),
      nextFrameIndex: this.account.nextFrameIndex,
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

  resume(options: ResumeOptions = {}): Promise<ResumeResult> {
    if (this.sealing !== null) {
      return Promise.reject(new ModuleError('INVALID_STATE', 'The trial is sealed: its files are final and it cannot be resumed'));
    }
    if (this.activeNow || this.finishing !== null || this.resuming !== null) {
      return Promise.reject(new ModuleError('INVALID_STATE', 'Only a finished trial can be resumed'));
    }
    this.resuming = this.continueInNewPart(options).finally(() => {
      this.resuming = null;
    });
    return this.resuming;
  }

  /**
   * The trial's files are final: finishes it if still active (with `reason`), makes sure
   * the metadata on disk is the final one, and announces the timing and metadata CSVs
   * closed. resume() is refused from then on. Idempotent.
   */
  seal(reason: StopReason = 'command'): Promise<void> {
    this.sealing ??= this.sealFiles(reason);
    return this.sealing;
  }

  private async sealFiles(reason: StopReason): Promise<void> {
    if (this.resuming !== null) await this.resuming.catch(() => undefined); // a failed resume was reported to its caller
    if (this.activeNow || this.finishing !== null) {
      await this.finish(reason).catch((err: unknown) => this.logFailure('finishing the trial to seal it failed', err));
    }
    if (!this.metadataFinal && this.lastSummary !== null) {
      await this.writeFinalMetadata(this.deps.clock.sample(), this.lastSummary);
    }
    // Kept open through pauses (an append-only file cannot be reopened): final only now.
    if (this.timing !== null) {
      await this.timing.close().catch((err: unknown) => this.logFailure('closing the timing file failed', err));
      this.timing = null;
    }
    const withFrames = this.parts.filter((part) => part.framesInFile > 0);
    await this.files.closed(this.paths.timingPath, 'timing', {
      frames: withFrames.reduce((sum, part) => sum + part.framesInFile, 0),
      firstSensorTimestampNs: withFrames[0]?.firstSensorNs ?? null,
      lastSensorTimestampNs: withFrames.at(-1)?.lastSensorNs ?? null,
    });
    await this.files.closed(this.paths.metadataPath, 'metadata', NO_FRAMES);
  }

  private async continueInNewPart(options: ResumeOptions): Promise<ResumeResult> {
    const reserved = await this.files.reservePart(this.paths.videoPath, this.filesOpened + 1, this.format.extension);
    const part = await this.openPartOrRemove(reserved);
    try {
      if (this.timing === null) await this.openTiming(null);
    } catch (err) {
      await part.writer.close().catch((closeError: unknown) => this.logFailure('closing an unused video file failed', closeError));
      await removeAll([reserved]);
      throw err;
    }
    this.parts.push(part);
    this.files.opened(part.path, 'video');
    this.account.resumed(options.countGap === true);
    this.activeNow = true;
    this.metadataFinal = false;
    await this.writeMetadata(null).catch((err: unknown) => this.logFailure('metadata rewrite on resume failed', err));
    return { videoPath: part.path, nextFrameIndex: this.account.nextFrameIndex };
  }

  private writeFrame(part: VideoPart, frame: CapturedFrame): void {
    const timing = this.timing;
    if (timing === null) return;
    const sourceGap = this.account.sourceGap(part, frame);
    part.framesSeen += 1;
    const pts = part.writer.write(frame);
    if (pts === null) {
      this.account.refused(sourceGap);
      return;
    }
    const { frameIndex, droppedBefore } = this.account.accepted(frame, sourceGap);
    timing.add({
      recordTime: frame.arrival, frameIndex, sensorTimestampNs: frame.sensorTimestampNs, videoPts: pts, droppedBefore, videoFile: part.basename,
    });
    noteAccepted(part, frame);
    this.rate.record(monoMs(frame.arrival.monoNs));
  }

  private holdForNextPart(backlog: FrameBacklog, frame: CapturedFrame): void {
    // A refused frame is lost after the backlog's frames: dropped_before of the frame after them says so.
    if (!backlog.push(frame)) this.account.refusedByBacklog(frame);
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
    const opening = this.files.reserveRotated(this.paths.videoPath, firstFrameUnixNs, this.format.extension)
      .then((reserved) => this.openPartOrRemove(reserved, true));
    const [, opened] = await Promise.allSettled([this.retirePart(previous), opening]);
    this.switching = null;
    if (opened.status === 'rejected') {
      for (const frame of backlog.drain()) this.account.lost(frame);
      this.account.lostAfterBacklog(backlog.lostAfterLast);
      this.failActive(toModuleError(opened.reason));
      return;
    }
    const next = opened.value;
    this.parts.push(next);
    this.files.opened(next.path, 'video');
    const nextFrameIndex = this.account.nextFrameIndex;
    for (const frame of backlog.drain()) this.writeFrame(next, frame);
    this.account.lostAfterBacklog(backlog.lostAfterLast);
    if (!this.activeNow) return;
    this.emit('rotated', {
      videoPath: next.path, previousVideoPath: previous.path, previousFileFrames: previous.framesInFile,
      fileIndex: this.parts.length, nextFrameIndex,
    });
    await this.writeMetadata(null).catch((err: unknown) => this.logFailure('metadata rewrite on rotation failed', err));
  }

  /** Hands the reserved file to a new writer; a file no writer took is removed again. */
  private async openPartOrRemove(reserved: ReservedFile, continuesWindow = false): Promise<VideoPart> {
    try {
      return await this.openPart(reserved, continuesWindow);
    } catch (err) {
      await removeAll([reserved]);
      throw err;
    }
  }

  private async openPart(reserved: ReservedFile, continuesWindow: boolean): Promise<VideoPart> {
    const bytesPerSecond = expectedVideoBytesPerSecond(this.format, this.context.recordMode);
    const file = await this.deps.sinks.open(reserved.path, reserved.handle, 'video', { bytesPerSecond });
    const options: VideoWriterOptions = {
      ...this.writerOptions, path: reserved.path, file, appendOnly: this.deps.sinks.appendOnly,
      captureMode: this.context.captureMode, recordMode: this.context.recordMode,
    };
    this.filesOpened += 1;
    const part = newVideoPart(await this.deps.videoWriters.open(options), continuesWindow, this.deps.sinks.suffix);
    part.writer.on('committed', (count) => this.onCommitted(part, count));
    part.writer.on('error', (error) => this.onWriterError(part, error));
    return part;
  }

  /** A new timing file into its reserved file, or (null) the trial's file reopened to append. */
  private async openTiming(reserved: ReservedFile | null): Promise<void> {
    const file = reserved === null ? null : await this.deps.sinks.open(reserved.path, reserved.handle, 'timing');
    this.timing = await this.deps.timingWriters.open(this.paths.timingPath, {
      trial: this.context.trialNumber, deviceId: this.context.stableId, label: this.context.trialLabel,
      append: file === null, flushIntervalMs: this.deps.timingFlushMs,
      ...(file === null ? {} : { file }),
      onError: (error) => this.onTimingError(error),
    });
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

  /**
   * Closes a video file for good: its frames are counted, its rows settled, and it is
   * announced final, or removed when no frame reached it (an empty file is unreadable).
   */
  private async retirePart(part: VideoPart): Promise<void> {
    await closeVideoPart(part, (message, err) => this.logFailure(message, err));
    this.settleRows(part);
    if (part.framesInFile === 0) {
      const index = this.parts.indexOf(part);
      if (index >= 0) this.parts.splice(index, 1);
      this.removedFiles.push(part.path);
      await this.files.removeEmpty(part.path).catch((err: unknown) => this.logFailure(`removing the empty ${part.path} failed`, err));
      return;
    }
    await this.files.closed(part.path, 'video', {
      frames: part.framesInFile, firstSensorTimestampNs: part.firstSensorNs, lastSensorTimestampNs: part.lastSensorNs,
    });
  }

  /**
   * The closed file holds framesInFile frames: exactly their rows are committed, the rows
   * of frames that never reached it are discarded (they were never written) and their
   * frame indexes given back, so frame_index stays continuous in the next file.
   */
  private settleRows(part: VideoPart): void {
    const timing = this.timing;
    if (timing === null) return;
    if (part.framesInFile < part.framesCommitted) {
      // Writers report only frames already in the file; rows on disk are never taken back.
      this.logFailure(`${part.path} holds ${part.framesInFile} frames but ${part.framesCommitted} were reported in it`,
        new ModuleError('INTERNAL', 'video writer over-reported committed frames'));
    }
    this.onCommitted(part, part.framesInFile);
    const discarded = timing.discardUncommitted();
    this.account.discarded(discarded);
    forgetLastFrames(part, discarded);
  }

  private async closeAll(reason: StopReason): Promise<TrialSummary> {
    if (this.switching !== null) await this.switching.done;
    const part = this.part;
    if (part !== null && !part.closed) await this.retirePart(part);
    if (this.timing !== null && this.deps.sinks.appendOnly) {
      // Stays open for resume: its rows so far are written and synced, the rest wait for seal().
      await this.timing.flushAndSync().catch((err: unknown) => this.logFailure('flushing the timing file failed', err));
    } else if (this.timing !== null) {
      await this.timing.close().catch((err: unknown) => this.logFailure('closing the timing file failed', err));
      this.timing = null;
    }
    const ended = this.deps.clock.sample();
    const summary = this.summarize(reason);
    this.lastSummary = summary;
    await this.writeFinalMetadata(ended, summary);
    return summary;
  }

  private summarize(reason: StopReason): TrialSummary {
    const spans = this.parts.map((part) => spanOf(part, part.framesInFile));
    const { durationSeconds, actualFps } = trialDuration(spans, this.context.recordMode.fps);
    return {
      framesRecorded: spans.reduce((sum, span) => sum + span.frames, 0),
      framesDropped: this.account.framesDropped,
      durationSeconds,
      actualFps,
      paths: this.paths,
      videoFiles: this.parts.map((part) => part.path),
      emptyVideoFilesRemoved: [...this.removedFiles],
      reason,
    };
  }

  private async writeFinalMetadata(ended: ClockSample, summary: TrialSummary): Promise<void> {
    try {
      await this.writeMetadata(ended, summary);
      this.metadataFinal = true;
    } catch (err) {
      this.logFailure('final metadata write failed', err);
    }
  }

  private writeMetadata(ended: ClockSample | null, summary?: TrialSummary): Promise<void> {
    return writeMetadataCsv(this.paths.metadataPath, this.metadataRow(ended, summary ?? null), this.deps.sinks);
  }

  /** The trial as its decrypted files will be: names without the sinks' suffix. */
  private metadataRow(ended: ClockSample | null, summary: TrialSummary | null): ReturnType<typeof trialMetadata> {
    const plain = (file: string): string => plaintextName(file, this.deps.sinks.suffix);
    const paths = { ...this.paths, videoPath: plain(this.paths.videoPath), timingPath: plain(this.paths.timingPath), metadataPath: plain(this.paths.metadataPath) };
    return trialMetadata({
      context: this.context, paths, format: this.format, startedUnixNs: this.started.unixNs,
      endedUnixNs: ended?.unixNs ?? null, summary,
      videoFiles: this.parts.map((part) => part.basename), gaps: this.account.gaps,
    });
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
      lifecycle: options.lifecycle ?? new FileLifecycle(),
      reserver: options.reserver ?? new NameReserver(),
      sinks: options.sinks ?? PLAIN_FILES,
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
