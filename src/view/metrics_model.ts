import type { StatusReportStatus, TelemetryStatus } from '../generated/schema-types.js';
import type { CameraSession } from '../camera_core/camera_session.js';
import type { FrameHub } from '../camera_core/frame_hub.js';
import type { TrialRecorder } from '../storage/types.js';
import type { ResolvedConfig } from '../config/config.js';
import { round1, round2 } from '../events/rounding.js';
import { MODULE_NAME, MODULE_VERSION } from '../module_info.js';

/**
 * The figures hosts and the web view show about one camera, from the capture's, the hub's
 * and the trial's own counters: telemetry (seed 003) and get_status's status_report.
 */
export function telemetrySnapshot(camera: CameraSession, trial: TrialRecorder | null, hub: FrameHub): TelemetryStatus {
  const capture = camera.capture.stats();
  const recording = trial?.active ? trial.stats() : null;
  const subscribers = hub.stats().map((s) => ({ name: s.name, delivered: s.delivered, dropped: s.dropped, queued: s.queuedFrames }));
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
    subscribers,
  };
}

export interface StatusInput {
  readonly state: StatusReportStatus['state'];
  readonly camera: CameraSession | null;
  readonly trial: TrialRecorder | null;
  readonly sessionId: string | null;
  readonly ffmpeg: StatusReportStatus['ffmpeg'];
  readonly config: ResolvedConfig;
  readonly httpUrl: string | null;
}

/** get_status's answer: the state plus the recording state of the device (seed 001). */
export function describeStatus(input: StatusInput): StatusReportStatus {
  const trial = input.trial?.active ? input.trial : null;
  const stats = trial?.stats() ?? null;
  return {
    state: input.state,
    module: MODULE_NAME,
    version: MODULE_VERSION,
    camera_id: input.camera?.cameraId ?? null,
    device_path: input.camera?.identity.devicePath ?? null,
    recording: trial !== null,
    session_id: input.sessionId,
    trial_number: trial?.context.trialNumber ?? null,
    frames_recorded: stats?.framesRecorded ?? null,
    frames_dropped: stats?.framesDropped ?? input.camera?.capture.stats().framesMissing ?? 0,
    current_file: stats?.currentFile ?? null,
    elapsed_seconds: stats ? round2(stats.elapsedSeconds) : null,
    ffmpeg: input.ffmpeg,
    config: input.config,
    http_url: input.httpUrl,
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
