import { performance } from 'node:perf_hooks';
import { ModuleError, toModuleError } from '../errors/codes.js';
import type { CaptureExit } from '../camera_core/types.js';
import { describeMode, sameMode } from '../camera_core/mode_text.js';
import type { StopReason, TrialRecorder, TrialSummary } from '../storage/types.js';
import { CameraSession } from './camera_session.js';
import type { CommandHandlers } from './command_handlers.js';
import type { CamerasRuntime } from './runtime.js';

/** A camera that went away, while the module waits for it to come back. */
interface Outage {
  /** The lost session: stays the runtime's camera meanwhile, so the camera counts as assigned. */
  readonly camera: CameraSession;
  /** The trial that was recording: finalized at the loss, continued when the camera is back. */
  trial: TrialRecorder | null;
  readonly summary: TrialSummary | null;
  readonly lostAtMs: number;
  attempts: number;
  timer: NodeJS.Timeout | null;
}

type Enqueue = (task: () => Promise<void>) => Promise<void>;

/** The wait before attempt n (0-based): doubling from reconnect_initial_ms, capped at reconnect_max_ms. */
export function reconnectDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}

/**
 * What happens when a camera stops delivering frames (child exit, or the capture's frame
 * watchdog): the running trial's files are finalized at once and device_lost is reported;
 * then the same camera is reopened (found again by its stable id, see DeviceProbe.locate)
 * with capped exponential backoff until it is back or released. On return: device_ready,
 * the configured controls, and the interrupted trial continues into a new video part whose
 * first timing row counts the frames missed. Meanwhile the host still sees its trial
 * recording (pause ends it), and commands that need a live camera get DEVICE_LOST.
 * Every step runs in the runtime's command queue.
 */
export class Reconnector {
  private outage: Outage | null = null;

  constructor(private readonly rt: CamerasRuntime, private readonly handlers: CommandHandlers, private readonly enqueue: Enqueue) {}

  /** The camera is lost and being reopened. */
  get active(): boolean {
    return this.outage !== null;
  }

  /** The trial the loss interrupted, which goes on when the camera is back. */
  get interruptedTrial(): TrialRecorder | null {
    return this.outage?.trial ?? null;
  }

  async onCaptureLost(camera: CameraSession, exit: CaptureExit): Promise<void> {
    const trial = this.rt.trial?.active ? this.rt.trial : null;
    this.rt.trial = null;
    const summary = trial ? await trial.finish('device_lost') : null;
    await camera.close();
    const outage: Outage = { camera, trial, summary, lostAtMs: performance.now(), attempts: 0, timer: null };
    this.outage = outage;
    const firstDelay = this.schedule(outage);
    const detail = exit.reason ?? (exit.stderrTail.trim().split('\n').pop() ?? '');
    const error = new ModuleError('DEVICE_LOST', `Capture from ${camera.identity.devicePath} ended unexpectedly${detail ? `: ${detail}` : ''}`);
    this.rt.reporter.report('device_lost', {
      camera_id: camera.cameraId, device_id: camera.deviceId, device_path: camera.identity.devicePath,
      error: error.message, code: error.code, recording_interrupted: trial !== null,
      trial_number: trial?.context.trialNumber ?? null, video_path: summary?.videoFiles.at(-1) ?? null,
      next_attempt_ms: firstDelay,
    });
  }

  /** The host ended the interrupted trial (pause, stop_session, quit): report it as stopped; it is not continued. */
  async endInterruptedTrial(reason: StopReason): Promise<void> {
    const outage = this.outage;
    const trial = outage?.trial;
    if (!outage || !trial || !outage.summary) return;
    outage.trial = null;
    this.rt.pausedTrial = reason === 'command' ? trial : null;
    this.handlers.recording.reportStopped(trial, { ...outage.summary, reason });
  }

  /** Stops waiting for the camera (it was released or replaced). */
  cancel(): void {
    if (this.outage?.timer) clearTimeout(this.outage.timer);
    this.outage = null;
  }

  private schedule(outage: Outage): number {
    const { reconnect_initial_ms: initial, reconnect_max_ms: max } = this.rt.config.current.capture;
    const delay = reconnectDelay(outage.attempts, initial, max);
    outage.timer = setTimeout(() => {
      outage.timer = null;
      this.enqueue(() => this.attempt(outage)).catch((err: unknown) => this.rt.reportError(null, toModuleError(err)));
    }, delay);
    outage.timer.unref();
    return delay;
  }

  private async attempt(outage: Outage): Promise<void> {
    if (this.outage !== outage) return;
    outage.attempts += 1;
    const lost = outage.camera;
    let camera: CameraSession;
    try {
      const identity = await this.rt.probe.locate(lost.identity);
      if (!identity) throw new ModuleError('DEVICE_LOST', `no capture node with stable id ${lost.identity.stableId}`);
      this.rt.ffmpeg.require();
      camera = await CameraSession.open(identity, lost.deviceId, this.rt.config.current, this.rt.probe, this.rt.captureFactory);
    } catch (err) {
      const delay = this.schedule(outage);
      this.rt.logger.info(`camera ${lost.cameraId} not back (attempt ${outage.attempts}, next in ${delay} ms): ${toModuleError(err).message}`);
      return;
    }
    this.outage = null;
    this.rt.attachCamera(camera);
    this.handlers.devices.reportReady(camera);
    await this.handlers.devices.controls.applyConfigured(camera);
    if (outage.trial && outage.summary) await this.continueTrial(outage.trial, outage.summary, camera, outage.lostAtMs);
  }

  private async continueTrial(trial: TrialRecorder, summary: TrialSummary, camera: CameraSession, lostAtMs: number): Promise<void> {
    const { captureMode, recordMode } = camera.selection;
    if (!sameMode(captureMode, trial.context.captureMode) || !sameMode(recordMode, trial.context.recordMode)) {
      this.rt.reportError(null, new ModuleError('DEVICE_LOST', `Camera ${camera.cameraId} came back in another mode (${describeMode(captureMode)} instead of ${describeMode(trial.context.captureMode)}); trial ${trial.context.trialNumber} ended at the loss`));
      this.handlers.recording.reportStopped(trial, summary);
      return;
    }
    let resumed: { readonly videoPath: string; readonly nextFrameIndex: number };
    try {
      resumed = await trial.resume({ countGap: true });
    } catch (err) {
      this.rt.reportError(null, toModuleError(err));
      this.handlers.recording.reportStopped(trial, summary);
      return;
    }
    this.rt.trial = trial;
    this.handlers.recording.reportResumed(trial, resumed, (performance.now() - lostAtMs) / 1000);
  }
}

/** The assigned camera for commands that need it capturing; DEVICE_LOST while it is being reopened. */
export function liveCamera(rt: CamerasRuntime): CameraSession {
  if (rt.reconnect.active || !rt.camera) {
    throw new ModuleError('DEVICE_LOST', 'Camera was lost and is being reopened; try again after device_ready');
  }
  return rt.camera;
}
