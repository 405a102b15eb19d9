import type { EventEmitter } from 'eventemitter3';
import type { CaptureMode, ControlInfo } from '../generated/schema-types.js';
import type { ModuleError } from '../errors/codes.js';
import type { ClockSample } from '../time/clock.js';

export type { CaptureMode, ControlInfo };

/** What a device path names: a real camera node or one of the synthetic sources. */
export type DeviceSpec =
  | { readonly kind: 'v4l2'; readonly path: string }
  | { readonly kind: 'synthetic'; readonly width: number; readonly height: number; readonly fps: number }
  | { readonly kind: 'replay'; readonly path: string }
  | { readonly kind: 'avfoundation'; readonly name: string }
  | { readonly kind: 'dshow'; readonly name: string };

export interface CameraIdentity {
  readonly backend: string;
  readonly stableId: string;
  readonly name: string;
  readonly devicePath: string;
  readonly usbPath: string | null;
}

export interface CameraCapabilities {
  readonly modes: readonly CaptureMode[];
  readonly controls: readonly ControlInfo[];
}

/** Finds what a camera can do, sets its controls, and finds it again after it went away. */
export interface DeviceProbe {
  probe(identity: CameraIdentity): Promise<CameraCapabilities>;
  setControl(identity: CameraIdentity, control: string, value: number | boolean | string): Promise<void>;
  /**
   * The identity to reopen a lost camera with (its device path may have changed), or null
   * while it is not back. Synthetic cameras are always where they were.
   */
  locate(identity: CameraIdentity): Promise<CameraIdentity | null>;
}

/** One complete JPEG as the camera delivered it, with its times. */
export interface CapturedFrame {
  /** 0-based, in capture order, counted from the start of this capture process. */
  readonly captureIndex: number;
  readonly data: Buffer;
  /** The kernel buffer time on V4L2, the source pts for synthetic sources; nanoseconds. */
  readonly sensorTimestampNs: bigint;
  /** Sampled once when the frame was complete in node. */
  readonly arrival: ClockSample;
  /** Frames the source skipped right before this one, judged from the gap in sensor timestamps. */
  readonly droppedBefore: number;
}

export interface CaptureStats {
  readonly framesCaptured: number;
  /** Frames missing from the source, from timestamp gaps. */
  readonly framesMissing: number;
  /** Frames per second over the last second or so. */
  readonly fps: number;
}

export interface CaptureExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  /** True when stop() asked for it; false means the source died or the camera went away. */
  readonly requested: boolean;
  /** Why the capture counts as lost when the child did not just exit (e.g. no frame for 1000 ms). */
  readonly reason?: string;
}

export interface CaptureEvents {
  frame: (frame: CapturedFrame) => void;
  /** The capture ended without stop() (camera unplugged, ffmpeg crashed) or failed to start. */
  ended: (exit: CaptureExit) => void;
  error: (error: ModuleError) => void;
}

/** One running capture: an ffmpeg child turning a camera (or synthetic source) into frames. */
export interface CaptureSource extends EventEmitter<CaptureEvents> {
  readonly device: DeviceSpec;
  readonly mode: CaptureMode;
  /** Resolves once the first frame arrived; rejects with a ModuleError (DEVICE_FAILED) otherwise. */
  start(): Promise<void>;
  /** Stops the child and waits for it to be gone. Idempotent. */
  stop(): Promise<void>;
  stats(): CaptureStats;
}

export interface CaptureRequest {
  readonly device: DeviceSpec;
  readonly mode: CaptureMode;
  readonly startTimeoutMs: number;
  /** No frame for this long (at least three frame intervals) after the first counts as lost; 0 turns it off. Default 1000. */
  readonly stallTimeoutMs?: number;
}

export interface CaptureSourceFactory {
  create(request: CaptureRequest): CaptureSource;
}
