import { existsSync } from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { CapturedFrame } from '../camera_core/types.js';
import { ModuleError, toModuleError } from '../errors/codes.js';
import { silentLogger, type Logger } from '../host/logger.js';
import type { Clock, ClockSample } from '../time/clock.js';
import { VIDEO_FILES_SEPARATOR, writeMetadataCsv, type TrialMetadata } from './metadata_writer.js';
import { videoPartPath } from './session_paths.js';
import { formatNsAsSeconds } from './timing_format.js';
import { DefaultTimingWriterFactory, type TimingCSVWriter, type TimingWriterFactory } from './timing_writer.js';
import { RateWindow, trialDuration } from './trial_figures.js';
import type {
  StopReason, TrialContext, TrialPaths, TrialRecorder, TrialRecorderEvents, TrialRecorderFactory,
  TrialRecorderStartOptions, TrialStats, TrialSummary, VideoWriter, VideoWriterFactory, VideoWriterOptions,
} from './types.js';

export { readTimingCsv, type TimingCsvRow } from './timing_reader.js';

export interface TrialRecorderOptions {
  readonly timingWriters?: TimingWriterFactory;
  readonly logger?: Logger;
  /** How often committed timing rows go to disk (at most 500 ms). */
  readonly timingFlushMs?: number;
}

interface VideoPart {
  readonly writer: VideoWriter;
  readonly path: string;
  readonly basename: string;
  /** Frames routed here, accepted or not; the first one's source gap predates the part. */
  framesSeen: number;
  framesAccepted: number;
  framesCommitted: number;
  /** Frames in the finished file (set by close). */
  framesInFile: number;
  firstSensorNs: bigint | null;
  lastSensorNs: bigint | null;
}

type RecorderDeps = Required<TrialRecorderOptions> & { readonly videoWriters: VideoWriterFactory; readonly clock: Clock };

/**
 * One trial on disk: video part(s), the timing CSV and the metadata CSV. A timing row is
 * added for every frame the writer accepted and reaches the disk only once the writer
 * reports that frame committed, so rows and frames agree even after a crash.
 */
class FileTrialRecorder extends EventEmitter<TrialRecorderEvents> implements TrialRecorder {
  paths: TrialPaths;
  private readonly parts: VideoPart[] = [];
  private timing: TimingCSVWriter | null = null;
  private nextFrameIndex = 1;
  /** Frames lost since the last row (refused frames and their own gaps), for dropped_before. */
  private lostSinceLastRow = 0;
  private framesDropped = 0;
  private readonly rate = new RateWindow();
  private activeNow = false;
  private finishing: Promise<TrialSummary> | null = null;
  private lastSummary: TrialSummary | null = null;

  constructor(
    readonly context: TrialContext,
    paths: TrialPaths,
    private readonly writerOptions: TrialRecorderStartOptions['writer'],
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

  /** Opens the first part, the timing CSV and the initial metadata. */
  async begin(): Promise<void> {
    const part = await this.openPart(this.paths.videoPath);
    if (part.path !== this.paths.videoPath) this.paths = { ...this.paths, videoPath: part.path };
    await this.openTiming(false, part);
    try {
      await this.writeMetadata(null);
    } catch (err) {
      await this.timing?.close().catch((closeError: unknown) => this.logFailure('closing the timing file failed', closeError));
      this.timing = null;
      await this.abandonPart(part);
      throw err;
    }
    this.activeNow = true;
  }

  onFrame(frame: CapturedFrame): void {
    const part = this.part;
    if (!this.activeNow || part === null || this.timing === null) return;
    // A gap before the first frame of a part lies outside the recording window.
    const sourceGap = part.framesSeen === 0 ? 0 : frame.droppedBefore;
    part.framesSeen += 1;
    this.framesDropped += sourceGap;
    const pts = part.writer.write(frame);
    if (pts === null) {
      this.framesDropped += 1;
      this.lostSinceLastRow += sourceGap + 1;
      return;
    }
    this.timing.add({
      recordTime: frame.arrival,
      frameIndex: this.nextFrameIndex,
      sensorTimestampNs: frame.sensorTimestampNs,
      videoPts: pts,
      droppedBefore: this.lostSinceLastRow + sourceGap,
      videoFile: part.basename,
    });
    this.nextFrameIndex += 1;
    this.lostSinceLastRow = 0;
    part.framesAccepted += 1;
    part.firstSensorNs ??= frame.sensorTimestampNs;
    part.lastSensorNs = frame.sensorTimestampNs;
    this.rate.add(frame.arrival.monoNs);
  }

  stats(): TrialStats {
    const now = this.deps.clock.sample();
    return {
      framesRecorded: this.parts.reduce((sum, part) => sum + part.framesAccepted, 0),
      framesDropped: this.framesDropped,
      queueDepth: this.activeNow ? this.part?.writer.queueDepth ?? 0 : 0,
      currentFile: this.part?.path ?? this.paths.videoPath,
      startedUnix: Number(this.started.unixNs / 1000n) / 1e6,
      elapsedSeconds: Number(now.monoNs - this.started.monoNs) / 1e9,
      recordFps: this.rate.perSecond(now.monoNs),
      nextFrameIndex: this.nextFrameIndex,
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

  async resume(): Promise<{ readonly videoPath: string; readonly nextFrameIndex: number }> {
    if (this.activeNow || this.finishing !== null) {
      throw new ModuleError('INVALID_STATE', 'Only a finished trial can be resumed');
    }
    const part = await this.openPart(this.freePartPath());
    try {
      await this.openTiming(true, part);
    } catch (err) {
      await this.abandonPart(part);
      throw err;
    }
    this.lostSinceLastRow = 0;
    this.activeNow = true;
    await this.writeMetadata(null).catch((err: unknown) => this.logFailure('metadata rewrite on resume failed', err));
    return { videoPath: part.path, nextFrameIndex: this.nextFrameIndex };
  }

  private async openPart(requestedPath: string): Promise<VideoPart> {
    const options: VideoWriterOptions = {
      ...this.writerOptions, path: requestedPath, captureMode: this.context.captureMode, recordMode: this.context.recordMode,
    };
    const writer = await this.deps.videoWriters.open(options);
    const part: VideoPart = {
      writer, path: writer.path, basename: path.basename(writer.path),
      framesSeen: 0, framesAccepted: 0, framesCommitted: 0, framesInFile: 0, firstSensorNs: null, lastSensorNs: null,
    };
    writer.on('committed', (count) => this.onCommitted(part, count));
    writer.on('error', (error) => this.onWriterError(part, error));
    this.parts.push(part);
    return part;
  }

  private async openTiming(append: boolean, part: VideoPart): Promise<void> {
    try {
      this.timing = await this.deps.timingWriters.open(this.paths.timingPath, {
        trial: this.context.trialNumber, deviceId: this.context.stableId, label: this.context.trialLabel,
        append, flushIntervalMs: this.deps.timingFlushMs,
        onError: (error) => this.onWriterError(part, error),
      });
    } catch (err) {
      if (!append) await this.abandonPart(part);
      throw err;
    }
  }

  /** A part opened for nothing (the timing file failed): close it and forget it. */
  private async abandonPart(part: VideoPart): Promise<void> {
    this.parts.splice(this.parts.indexOf(part), 1);
    await part.writer.close().catch((err: unknown) => this.logFailure('closing an unused video part failed', err));
  }

  private onCommitted(part: VideoPart, count: number): void {
    if (part !== this.part || count <= part.framesCommitted) return;
    this.timing?.commit(count - part.framesCommitted);
    part.framesCommitted = count;
  }

  private onWriterError(part: VideoPart, error: ModuleError): void {
    if (part !== this.part || !this.activeNow) {
      this.logFailure('video writer reported an error while closing', error);
      return;
    }
    this.finish('encoder_failed').then(
      (summary) => this.emit('failed', error, summary),
      (err: unknown) => this.logFailure('finishing after a writer failure failed', err),
    );
  }

  private async closeAll(reason: StopReason): Promise<TrialSummary> {
    const part = this.part;
    if (part !== null) {
      try {
        part.framesInFile = (await part.writer.close()).frames;
      } catch (err) {
        this.logFailure('closing the video file failed', err);
        part.framesInFile = part.framesCommitted;
      }
      this.onCommitted(part, part.framesInFile);
    }
    if (this.timing !== null) {
      // Rows whose frames never reached the file must not appear in it: count those frames
      // lost and give their frame indexes back, so a resumed trial stays continuous.
      const discarded = this.timing.discardUncommitted();
      this.framesDropped += discarded;
      this.nextFrameIndex -= discarded;
      if (part !== null) part.framesAccepted -= discarded;
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
    const spans = this.parts.map((part) => ({
      frames: part.framesInFile, firstSensorNs: part.firstSensorNs, lastSensorNs: part.lastSensorNs,
    }));
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
    const extension = path.extname(this.paths.videoPath);
    for (let n = this.parts.length + 1; ; n += 1) {
      const candidate = videoPartPath(this.paths.videoPath, n, extension);
      if (!existsSync(candidate)) return candidate;
    }
  }

  private writeMetadata(ended: ClockSample | null, summary?: TrialSummary): Promise<void> {
    const { context } = this;
    const { recordMode } = context;
    const passthrough = this.parts[0]?.writer.passthrough ?? false;
    const pixelFormat = passthrough ? context.captureMode.pixel_format : this.writerOptions.codec === 'h264' ? 'yuv420p' : 'mjpeg';
    const metadata: TrialMetadata = {
      camera_id: context.cameraId, backend: context.backend, name: context.name, device_path: context.devicePath,
      start_time_unix: formatNsAsSeconds(this.started.unixNs, 6),
      end_time_unix: ended === null ? null : formatNsAsSeconds(ended.unixNs, 6),
      target_fps: recordMode.fps,
      actual_fps: summary === undefined ? null : summary.actualFps.toFixed(3),
      resolution_width: recordMode.width, resolution_height: recordMode.height, pixel_format: pixelFormat,
      video_path: this.paths.videoPath, timing_path: this.paths.timingPath,
      frames_total: summary?.framesRecorded ?? null, frames_dropped: summary?.framesDropped ?? null,
      session_id: context.sessionId, trial: context.trialNumber, ffmpeg_version: context.ffmpegVersion,
      video_files: this.parts.map((part) => part.basename).join(VIDEO_FILES_SEPARATOR),
    };
    return writeMetadataCsv(this.paths.metadataPath, metadata);
  }

  private logFailure(message: string, err: unknown): void {
    const error = toModuleError(err);
    this.deps.logger.error(`trial ${this.context.trialNumber}: ${message}: ${error.message}`, {
      camera_id: this.context.cameraId, code: error.code,
    });
  }
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
    const recorder = new FileTrialRecorder(options.context, options.paths, options.writer, this.deps, this.deps.clock.sample());
    await recorder.begin();
    return recorder;
  }
}
