import type { TelemetryStatus } from '../generated/schema-types.js';
import type { CameraSession } from './camera_session.js';
import type { TrialRecorder } from '../storage/types.js';

import { round1, round2 } from './rounding.js';

/** The telemetry payload of seed 003, from the capture's and the trial's own counters. */
export function telemetrySnapshot(camera: CameraSession, trial: TrialRecorder | null): TelemetryStatus {
  const capture = camera.capture.stats();
  const recording = trial?.active ? trial.stats() : null;
  return {
    camera_id: camera.cameraId,
    capture_fps: round1(capture.fps),
    record_fps: recording ? round1(recording.recordFps) : null,
    queue_depth: recording?.queueDepth ?? 0,
    frames_captured: capture.framesCaptured,
    frames_recorded: recording?.framesRecorded ?? null,
    frames_dropped: recording ? recording.framesDropped : capture.framesMissing,
    recording: recording !== null,
    session_id: recording ? trial?.context.sessionId ?? null : null,
    trial_number: recording ? trial?.context.trialNumber ?? null : null,
    current_file: recording?.currentFile ?? null,
    elapsed_seconds: recording ? round2(recording.elapsedSeconds) : null,
  };
}

/** Emits on an unref'd interval; restartable when the interval changes. */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly tick: () => void) {}

  start(intervalMs: number): void {
    this.stop();
    if (intervalMs <= 0) return;
    this.timer = setInterval(this.tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
