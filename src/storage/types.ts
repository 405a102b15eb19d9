import type { SinkFile } from './sinks/file_sinks.js';
import type { EventEmitter } from 'eventemitter3';
import type { CaptureMode, CapturedFrame } from '../camera_core/types.js';
import type { ModuleError } from '../errors/codes.js';
import type { RecordingStoppedStatus } from '../generated/schema-types.js';
import type { RotationPolicy } from './rotation.js';

export interface VideoWriterOptions {
  readonly path: string;
  /** The mode frames arrive in. */
  readonly captureMode: CaptureMode;
  /** The mode to store; equal to captureMode and codec mjpeg means passthrough. */
  readonly recordMode: CaptureMode;
  readonly codec: 'mjpeg' | 'h264';
  readonly jpegQuality: number;
  readonly h264Crf: number;
  readonly forceReencode: boolean;
  /** Frames allowed to wait for the disk before new ones are dropped. */
  readonly queueMaxFrames: number;
  /**
   * `path`, already created empty and exclusively (NameReserver) and opened by the FileSinks
   * (the plain handle, or an append-only encrypted file), for the writer to fill; the writer
   * owns it from here. Without it the writer creates `path` itself ('wx').
   */
  readonly file?: SinkFile;
  /** The file takes appends only (encrypted): see RecordingFormatRequest.appendOnly. */
  readonly appendOnly?: boolean;
}

export interface VideoWriterEvents {
  /** Frames 1..count of this file are written to the OS (they survive a kill -9). */
  committed: (count: number) => void;
  error: (error: ModuleError) => void;
}

export interface VideoFileSummary {
  readonly path: string;
  readonly frames: number;
  readonly bytes: number;
  /** Frames refused because the queue was full. */
  readonly framesDropped: number;
}

/** Writes frames into one video file. */
export interface VideoWriter extends EventEmitter<VideoWriterEvents> {
  readonly path: string;
  readonly passthrough: boolean;
  /** Units of the pts returned by write(), as the file stores them. */
  readonly timebase: { readonly num: number; readonly den: number };
  /**
   * Queues a frame and returns the pts it will have in the file, or null when the queue
   * is full and the frame was dropped (counted in framesDropped).
   */
  write(frame: CapturedFrame): number | null;
  readonly queueDepth: number;
  /** Finalizes the file (index, duration); resolves when it is complete on disk. */
  close(): Promise<VideoFileSummary>;
  /**
   * After close() failed: the frames the file really holds. Only writers whose `committed`
   * can run ahead of the file (an ffmpeg child that died with frames it had counted still
   * in memory) have it; for the others the committed count is exact.
   */
  countFramesInFile?(): Promise<number>;
}

export interface VideoWriterFactory {
  open(options: VideoWriterOptions): Promise<VideoWriter>;
}

export interface TrialPaths {
  readonly outputDir: string;
  readonly videoPath: string;
  readonly timingPath: string;
  readonly metadataPath: string;
  /** True when the natural name was taken and a free one was chosen instead. */
  readonly renamed: boolean;
}

/** Everything a trial's files say about where they came from. */
export interface TrialContext {
  /** "backend:stable_id", the camera_id reported in statuses. */
  readonly cameraId: string;
  readonly backend: string;
  readonly stableId: string;
  readonly name: string;
  readonly devicePath: string;
  readonly sessionId: string | null;
  readonly trialNumber: number;
  readonly trialLabel: string | null;
  readonly captureMode: CaptureMode;
  readonly recordMode: CaptureMode;
  readonly ffmpegVersion: string;
}

/** Why a trial stopped: recording_stopped's reason enum. */
export type StopReason = RecordingStoppedStatus['reason'];

export interface TrialStats {
  readonly framesRecorded: number;
  /** Frames lost inside the trial window: source gaps plus queue drops. */
  readonly framesDropped: number;
  readonly queueDepth: number;
  readonly currentFile: string;
  /** Wall-clock time the first part started, seconds since the epoch. */
  readonly startedUnix: number;
  readonly elapsedSeconds: number;
  /** Recorded frames per second over the last second or so. */
  readonly recordFps: number;
  readonly nextFrameIndex: number;
  /** Every video file of the trial so far, in order. */
  readonly videoFiles: readonly string[];
  /** Media time recorded so far (pauses excluded), as in TrialSummary.durationSeconds. */
  readonly recordedSeconds: number;
}

export interface TrialSummary {
  readonly framesRecorded: number;
  readonly framesDropped: number;
  readonly durationSeconds: number;
  readonly actualFps: number;
  readonly paths: TrialPaths;
  /** Every video part of the trial, in order (more than one after resume or rotation). */
  readonly videoFiles: readonly string[];
  /**
   * Video files deleted because no frame reached them (stopped before the first frame):
   * they are not in videoFiles.
   */
  readonly emptyVideoFilesRemoved: readonly string[];
  readonly reason: StopReason;
}

/** A long trial moved on to its next video file (rotation). */
export interface TrialRotation {
  readonly videoPath: string;
  readonly previousVideoPath: string;
  readonly previousFileFrames: number;
  /** 1-based position of the new file among the trial's video files. */
  readonly fileIndex: number;
  /** frame_index of the first frame in the new file. */
  readonly nextFrameIndex: number;
}

export interface TrialRecorderEvents {
  /** The video writer failed; the trial was finished with reason encoder_failed. */
  failed: (error: ModuleError, summary: TrialSummary) => void;
  rotated: (rotation: TrialRotation) => void;
}

/**
 * One trial: video part(s), the timing CSV and the metadata CSV, kept consistent.
 * finish() finalizes the video file; resume() continues the same trial into a new video
 * part, appending to the same timing CSV with frame_index continuing. So the CSVs are final
 * only after seal(), once the trial can no longer be resumed. Every file is announced on
 * the factory's FileLifecycle: file_opened when created, file_closed once final (a video
 * file when it is closed, the CSVs at seal()).
 */
export interface TrialRecorder extends EventEmitter<TrialRecorderEvents> {
  readonly paths: TrialPaths;
  readonly context: TrialContext;
  readonly active: boolean;
  /**
   * Called for every captured frame while the trial is active; cheap and synchronous.
   * lostBefore: frames the frame hub dropped for this trial right before this one.
   */
  onFrame(frame: CapturedFrame, lostBefore?: number): void;
  stats(): TrialStats;
  finish(reason: StopReason): Promise<TrialSummary>;
  resume(options?: ResumeOptions): Promise<{ readonly videoPath: string; readonly nextFrameIndex: number }>;
  /**
   * Ends the trial for good: finish(reason, default 'command') if still active, the final
   * metadata written if it is not yet, file_closed for the timing and metadata CSVs. After
   * it resume() rejects with INVALID_STATE. Idempotent; call it when a paused trial is
   * replaced, the session stops, the camera is released, or on shutdown.
   */
  seal(reason?: StopReason): Promise<void>;
}

export interface ResumeOptions {
  /**
   * The trial continues after the camera was lost and came back: the first frame of the new
   * part gets, in dropped_before, the frames missed at the nominal rate since the last frame
   * written, and the gap is listed in the metadata's gaps column.
   */
  readonly countGap?: boolean;
}

export interface TrialRecorderStartOptions {
  readonly context: TrialContext;
  readonly paths: TrialPaths;
  readonly writer: Omit<VideoWriterOptions, 'path' | 'captureMode' | 'recordMode'>;
  /** Split the trial into timestamped files of at most this length; absent or null: one file. */
  readonly rotation?: RotationPolicy | null;
}

export interface TrialRecorderFactory {
  start(options: TrialRecorderStartOptions): Promise<TrialRecorder>;
}
