import { performance } from 'node:perf_hooks';
import { ModuleError } from '../errors/codes.js';
import type { CameraSession } from '../camera_core/camera_session.js';
import { describeMode, sameMode } from '../camera_core/mode_text.js';
import type { CaptureExit } from '../camera_core/types.js';
import type { DeviceHandlers } from './device_handlers.js';
import type { HandlerDeps } from './handler_deps.js';
import type { RecordingHandlers } from './recording_handlers.js';

type Deps = Pick<HandlerDeps, 'channel' | 'reporter' | 'reportError' | 'reconnect'>;

/**
 * What happens when a camera stops delivering frames (child exit, or the capture's frame
 * watchdog): the running trial's files are finalized at once and device_lost is reported;
 * the reconnector reopens the same camera with backoff. On return: device_ready, the
 * configured controls, and the interrupted trial continues into a new video part whose
 * first timing row counts the frames missed. Meanwhile the host still sees its trial
 * recording (pause ends it), and commands that need a live camera get DEVICE_LOST.
 */
export class OutageHandlers {
  constructor(private readonly deps: Deps, private readonly recording: RecordingHandlers, private readonly devices: DeviceHandlers) {}

  async onCaptureLost(camera: CameraSession, exit: CaptureExit): Promise<void> {
    const { channel, reconnect } = this.deps;
    if (channel.camera !== camera) return;
    const trial = channel.writingTrial;
    this.recording.detachTrial();
    const summary = trial ? await trial.finish('device_lost') : null;
    channel.apply({ type: 'lost' });
    await camera.close();
    const firstDelay = reconnect.begin(camera);
    const detail = exit.reason ?? (exit.stderrTail.trim().split('\n').pop() ?? '');
    const error = new ModuleError('DEVICE_LOST', `Capture from ${camera.identity.devicePath} ended unexpectedly${detail ? `: ${detail}` : ''}`);
    this.deps.reporter.report('device_lost', {
      camera_id: camera.cameraId, device_id: camera.deviceId, device_path: camera.identity.devicePath,
      error: error.message, code: error.code, recording_interrupted: trial !== null,
      trial_number: trial?.context.trialNumber ?? null, video_path: summary?.videoFiles.at(-1) ?? null,
      next_attempt_ms: firstDelay,
    });
  }

  async onCameraReturned(camera: CameraSession, lostAtMs: number): Promise<void> {
    const { channel } = this.deps;
    const interrupted = channel.trial;
    channel.apply({ type: 'returned', camera, continued: interrupted !== null });
    this.devices.reportReady(camera);
    await this.devices.controls.applyConfigured(camera);
    if (interrupted !== null && !(await this.continueTrial(camera, lostAtMs))) channel.apply({ type: 'trial_ended', resumable: false });
  }

  /** The interrupted trial goes on if the camera came back in the same modes. */
  private async continueTrial(camera: CameraSession, lostAtMs: number): Promise<boolean> {
    const trial = this.deps.channel.writingTrial;
    if (trial === null) return false;
    const summary = await trial.finish('device_lost');
    const { captureMode, recordMode } = camera.selection;
    if (!sameMode(captureMode, trial.context.captureMode) || !sameMode(recordMode, trial.context.recordMode)) {
      this.deps.reportError(null, new ModuleError('DEVICE_LOST', `Camera ${camera.cameraId} came back in another mode (${describeMode(captureMode)} instead of ${describeMode(trial.context.captureMode)}); trial ${trial.context.trialNumber} ended at the loss`));
      this.recording.reportStopped(trial, summary);
      return false;
    }
    if (await this.recording.continueAfterLoss(trial, (performance.now() - lostAtMs) / 1000)) return true;
    this.recording.reportStopped(trial, summary);
    return false;
  }
}
