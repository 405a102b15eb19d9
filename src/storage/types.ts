import type { EventEmitter } from 'eventemitter3';
import type { CaptureMode, CapturedFrame } from '../camera_core/types.js';
import type { ModuleError } from '../errors/codes.js';

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
}

export interface VideoWriterFactory {
  open(options: VideoWriterOptions): Promise<VideoWriter>;
}
