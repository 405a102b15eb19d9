import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { ModuleError, toModuleError } from '../errors/codes.js';
import { TOKENS, type HostInfo } from '../di/tokens.js';
import type { Logger } from '../host/logger.js';
import type { ConfigStore } from '../config/config_store.js';
import type { FfmpegProvider } from '../ffmpeg/provider.js';
import type { ProcessRegistry } from '../process/owned_process.js';
import type { CapturedFrame, CaptureExit, CaptureSourceFactory, DeviceProbe } from '../camera_core/types.js';
import type { DiskGuard, DiskGuardOptions, DiskReading } from '../storage/disk_guard.js';
import type { StopReason, TrialRecorder, TrialRecorderFactory } from '../storage/types.js';
import type { StatusCallback } from './statuses.js';
import { StatusReporter } from './status_reporter.js';
import { SerialQueue } from './command_queue.js';
import { CommandValidator, type ParsedCommand } from './commands.js';
import { checkAllowed, type RuntimeState } from './state_machine.js';
import { CameraSession } from './camera_session.js';
import { PeriodicTask, telemetrySnapshot } from './telemetry.js';
import { CommandHandlers } from './command_handlers.js';
import { Reconnector } from './reconnect.js';
import { diskGuardOptions } from './storage_gate.js';
import { MODULE_NAME, MODULE_VERSION, HOST_API_VERSION } from '../module_info.js';

/**
 * The module's one runtime: every host (in-process bus, stdio, demo) hands commands to
 * handle(). Commands and internal events (capture lost, disk low) run through one serial
 * queue, each command is validated against its schema and checked against the state
 * machine before a handler runs, and every outcome is reported as a status.
 */
@injectable()
export class CamerasRuntime {
  readonly reporter: StatusReporter;
  private readonly validator = new CommandValidator();
  private readonly queue = new SerialQueue();
  private readonly telemetry: PeriodicTask;
  private readonly handlers: CommandHandlers;
  /** Reopens a lost camera and continues its trial (reconnect.ts). */
  readonly reconnect: Reconnector;

  camera: CameraSession | null = null;
  trial: TrialRecorder | null = null;
  /** The last trial, finished by pause, that resume_recording may continue. */
  pausedTrial: TrialRecorder | null = null;
  session: { id: string | null; dir: string | null; lastTrial: number } = { id: null, dir: null, lastTrial: 0 };
  private closed = false;
  private heldFrames: CapturedFrame[] | null = null;

  constructor(
    @inject(TOKENS.StatusCallback) statusCallback: StatusCallback,
    @inject(TOKENS.Logger) readonly logger: Logger,
    @inject(TOKENS.ConfigStore) readonly config: ConfigStore,
    @inject(TOKENS.HostInfo) readonly hostInfo: HostInfo,
    @inject(TOKENS.FfmpegProvider) readonly ffmpeg: FfmpegProvider,
    @inject(TOKENS.ProcessRegistry) readonly processes: ProcessRegistry,
    @inject(TOKENS.DeviceProbe) readonly probe: DeviceProbe,
    @inject(TOKENS.CaptureSourceFactory) readonly captureFactory: CaptureSourceFactory,
    @inject(TOKENS.TrialRecorderFactory) readonly trialFactory: TrialRecorderFactory,
    @inject(TOKENS.DiskGuard) readonly diskGuard: DiskGuard,
  ) {
    this.reporter = new StatusReporter(statusCallback, logger);
    this.telemetry = new PeriodicTask(() => this.emitTelemetry());
    this.handlers = new CommandHandlers(this);
    this.reconnect = new Reconnector(this, this.handlers, (task) => this.queue.push(task));
  }

  get state(): RuntimeState {
    if (this.closed) return 'closed';
    if (!this.camera) return 'idle';
    // While a lost camera is reopened, an interrupted trial still counts as recording for the host.
    if (this.trial?.active || this.reconnect.interruptedTrial) return 'recording';
    if (this.reconnect.active) return 'reconnecting';
    return this.pausedTrial ? 'paused' : 'capturing';
  }

  /** Locates ffmpeg, starts telemetry and the disk guard, reports ready. Runs before any queued command. */
  initialize(): Promise<void> {
    return this.queue.push(() => this.start());
  }

  private async start(): Promise<void> {
    await this.ffmpeg.initialize();
    const config = this.config.current;
    this.telemetry.start(config.telemetry.emit_interval_ms);
    this.watchDisk(config.storage.base_path);
    this.reporter.report('ready', {
      module: MODULE_NAME, version: MODULE_VERSION, instance_id: this.hostInfo.instanceId, host_api: HOST_API_VERSION,
      ffmpeg: this.ffmpegPayload(),
    });
    const missing = this.ffmpeg.error;
    if (missing) this.reportError(null, missing);
  }

  /** Queues one command; resolves when it has been handled and answered. Never rejects. */
  handle(command: unknown, payload: unknown): Promise<void> {
    return this.queue.push(() => this.run(command, payload));
  }

  /** Finalizes any trial, releases the camera and stops every child. Idempotent. */
  async shutdown(): Promise<void> {
    await this.queue.push(async () => {
      await this.close('shutdown');
    });
  }

  /** Answers input that never became a command (not JSON, not an object) in its place in the queue. */
  rejectInput(error: ModuleError): Promise<void> {
    return this.queue.push(async () => this.reportError(null, error));
  }

  /** Resolves when everything received so far has been handled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  get queueDepth(): number {
    return this.queue.depth;
  }

  private async run(command: unknown, payload: unknown): Promise<void> {
    let parsed: ParsedCommand;
    try {
      parsed = this.validator.parse(command, payload);
    } catch (err) {
      const commandId = typeof payload === 'object' && payload !== null ? (payload as { command_id?: unknown }).command_id : undefined;
      await this.reporter.within(typeof commandId === 'string' ? commandId : undefined, async () =>
        this.reportError(typeof command === 'string' ? command.slice(0, 64) : null, toModuleError(err)));
      return;
    }
    await this.reporter.within(parsed.commandId, async () => {
      const refusal = checkAllowed(parsed.canonical, this.state, { sessionId: this.session.id, cameraId: this.camera?.cameraId ?? null });
      if (refusal) {
        this.reportError(parsed.name, refusal);
        return;
      }
      try {
        await this.handlers.dispatch(parsed);
      } catch (err) {
        this.reportError(parsed.name, toModuleError(err));
      }
    });
  }

  reportError(command: string | null, error: ModuleError): void {
    if (error.kind === 'INTERNAL') this.logger.error('command failed', { command, error: error.message, stack: error.stack });
    this.reporter.report('error', {
      command,
      error: error.message,
      code: error.code,
      recoverable: error.recoverable,
      field: error.field,
      session_id: this.session.id,
      ...(error.data ? { data: error.data } : {}),
    });
  }

  ffmpegPayload(): { path: string; version: string; source: string } | null {
    const info = this.ffmpeg.current;
    return info ? { path: info.path, version: info.version, source: info.source } : null;
  }

  guardOptions(): DiskGuardOptions {
    return diskGuardOptions(this.config.current);
  }

  /**
   * Watches the volume of dir (from `initial` when the caller just read it); becoming
   * critical ends a running trial, entering the warn band is reported (storage_handlers).
   */
  watchDisk(dir: string, initial?: DiskReading): void {
    this.diskGuard.start(dir, this.guardOptions(), {
      onCritical: (reading) => void this.queue.push(() => this.handlers.storage.onCritical(dir, reading)),
      onWarn: (reading) => void this.queue.push(async () => this.handlers.storage.onWarn(reading)),
    }, initial);
  }

  restartTelemetry(): void {
    this.telemetry.start(this.config.current.telemetry.emit_interval_ms);
  }

  /** Routes captured frames to the active trial and turns an unexpected capture end into a queued event. */
  attachCamera(camera: CameraSession): void {
    this.camera = camera;
    camera.capture.on('frame', (frame) => {
      if (this.trial?.active) this.trial.onFrame(frame);
      else if (this.heldFrames && this.heldFrames.length < this.config.current.capture.queue_max_frames) this.heldFrames.push(frame);
    });
    camera.capture.on('ended', (exit) => {
      void this.queue.push(() => this.onCaptureEnded(camera, exit));
    });
  }

  /**
   * From the moment `record` is handled, frames are kept for the trial whose files are
   * still being opened, so its first frame is the first one after the command (within one
   * frame interval) rather than the first one after the files exist.
   */
  holdFramesForTrial(): void {
    this.heldFrames = [];
  }

  dropHeldFrames(): void {
    this.heldFrames = null;
  }

  /** Makes the opened trial the active one, giving it the held frames first, in order. */
  activateTrial(trial: TrialRecorder): void {
    const held = this.heldFrames ?? [];
    this.heldFrames = null;
    this.trial = trial;
    for (const frame of held) trial.onFrame(frame);
  }

  watchTrial(trial: TrialRecorder): void {
    this.handlers.storage.observe(trial);
    trial.on('rotated', (rotation) => {
      void this.queue.push(async () => {
        if (this.trial === trial) this.handlers.storage.reportRotated(trial, rotation);
      });
    });
    trial.on('failed', (error, summary) => {
      void this.queue.push(async () => {
        if (this.trial !== trial) return;
        this.trial = null;
        this.reportError(null, error);
        this.handlers.recording.reportStopped(trial, summary);
      });
    });
  }

  /** Ends the running trial (if any) with a reason and reports recording_stopped. */
  async finishTrial(reason: StopReason): Promise<void> {
    const trial = this.trial;
    if (!trial?.active) return this.reconnect.endInterruptedTrial(reason);
    this.trial = null;
    const summary = await trial.finish(reason);
    this.pausedTrial = reason === 'command' ? trial : null;
    this.handlers.recording.reportStopped(trial, summary);
  }

  async releaseCamera(reason: StopReason): Promise<string | null> {
    await this.finishTrial(reason);
    this.pausedTrial = null;
    this.reconnect.cancel();
    const camera = this.camera;
    if (!camera) return null;
    this.camera = null;
    await camera.close();
    this.reporter.report('device_released', { camera_id: camera.cameraId, device_id: camera.deviceId });
    return camera.cameraId;
  }

  async close(reason: StopReason): Promise<void> {
    if (this.closed) return;
    await this.releaseCamera(reason);
    this.closed = true;
    this.telemetry.stop();
    this.diskGuard.stop();
    await this.processes.stopAll();
  }

  private async onCaptureEnded(camera: CameraSession, exit: CaptureExit): Promise<void> {
    if (this.camera !== camera || exit.requested) return;
    await this.reconnect.onCaptureLost(camera, exit);
  }

  private emitTelemetry(): void {
    if (this.camera && !this.closed) this.reporter.report('telemetry', telemetrySnapshot(this.camera, this.trial));
  }
}
