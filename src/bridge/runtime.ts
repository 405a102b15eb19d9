import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { ModuleError, toModuleError } from '../errors/codes.js';
import { errnoCode } from '../errors/errno.js';
import { TOKENS, type HostInfo } from '../di/tokens.js';
import type { Logger } from '../logging/logger.js';
import type { ConfigStore } from '../config/config_store.js';
import type { FfmpegProvider } from '../ffmpeg/provider.js';
import type { ProcessRegistry } from '../process/owned_process.js';
import type { CaptureSourceFactory, DeviceProbe } from '../camera_core/types.js';
import type { DiskGuard } from '../storage/disk_guard.js';
import type { TrialRepairer } from '../storage/repair/trial_repairer.js';
import type { FileSinks } from '../storage/sinks/file_sinks.js';
import type { FileLifecycle } from '../storage/file_lifecycle.js';
import { pathRule } from '../storage/allowed_roots.js';
import type { StopReason, TrialRecorder, TrialRecorderFactory } from '../storage/types.js';
import type { ModuleBus } from '../events/module_bus.js';
import { StatusReporter } from '../events/status_reporter.js';
import type { WindowPort } from '../window/window_port.js';
import { errorPayload } from '../events/error_status.js';
import { CameraChannel } from '../camera_core/camera_channel.js';
import { Reconnector } from '../camera_core/reconnect.js';
import { PeriodicTask, describeStatus, telemetrySnapshot } from '../view/metrics_model.js';
import type { ResolvedConfig } from '../config/config.js';
import type { StatusReportStatus, StorageInfoStatus } from '../generated/schema-types.js';
import { SerialQueue } from './command_queue.js';
import { CommandValidator, type ParsedCommand } from './commands.js';
import { checkAllowed, hostState, type RuntimeState } from './command_rules.js';
import { CommandHandlers } from './command_handlers.js';
import { SessionState } from './session_state.js';
import { MODULE_NAME, MODULE_VERSION, HOST_API_VERSION } from '../module_info.js';

/**
 * The module's one runtime: every host (in-process bus, stdio, demo) hands commands to
 * handle(). Commands and internal events (capture lost, disk low) run through one serial
 * queue; each command is validated against its schema and checked against the channel's
 * state before a handler runs, and every outcome is reported as a status on the module bus.
 * Frames never pass through here: they go from the capture to the channel's frame hub.
 */
@injectable()
export class CamerasRuntime {
  readonly reporter: StatusReporter;
  readonly channel: CameraChannel<TrialRecorder>;
  readonly session = new SessionState();
  private readonly validator = new CommandValidator();
  private readonly queue = new SerialQueue();
  /** Jobs that may take long (sealing a trial's files) run here, so pause never waits behind them; clips have their own queue. */
  readonly jobs = new SerialQueue();
  private readonly telemetry: PeriodicTask;
  private readonly handlers: CommandHandlers;
  private readonly reconnect: Reconnector;
  private closed = false;
  /** The module's HTTP server (web view, clip API), set by the module factory before initialize(). */
  httpUrl: string | null = null;

  constructor(
    @inject(TOKENS.ModuleBus) readonly bus: ModuleBus,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.ConfigStore) private readonly config: ConfigStore,
    @inject(TOKENS.HostInfo) private readonly hostInfo: HostInfo,
    @inject(TOKENS.FfmpegProvider) private readonly ffmpeg: FfmpegProvider,
    @inject(TOKENS.ProcessRegistry) private readonly processes: ProcessRegistry,
    @inject(TOKENS.DeviceProbe) probe: DeviceProbe,
    @inject(TOKENS.CaptureSourceFactory) captureFactory: CaptureSourceFactory,
    @inject(TOKENS.TrialRecorderFactory) trialFactory: TrialRecorderFactory,
    @inject(TOKENS.DiskGuard) private readonly diskGuard: DiskGuard,
    @inject(TOKENS.TrialRepairer) private readonly repairer: TrialRepairer,
    @inject(TOKENS.FileLifecycle) lifecycle: FileLifecycle,
    @inject(TOKENS.FileSinks) fileSinks: FileSinks,
    @inject(TOKENS.Window) window: WindowPort,
  ) {
    this.reporter = new StatusReporter(bus);
    const enqueue = (task: () => Promise<void>): Promise<void> => this.queue.push(task);
    this.channel = new CameraChannel<TrialRecorder>({
      captureEnded: (camera, exit) => void enqueue(() => this.handlers.outage.onCaptureLost(camera, exit)),
      captureError: (camera, error) => {
        bus.emit('capture_error', { cameraId: camera.cameraId, error });
        void enqueue(async () => this.reportError(null, error));
      },
      trialReleased: (trial) => void this.jobs.push(() => trial.seal().catch((err: unknown) => this.reportError(null, toModuleError(err)))),
    });
    this.channel.hub.on('frames_lost', (subscriber, count) => {
      const camera = this.channel.assigned;
      if (camera) bus.emit('frames_lost', { cameraId: camera.cameraId, subscriber, count });
    });
    this.channel.hub.on('sink_error', (subscriber, err) => {
      logger.error('frame subscriber failed', { subscriber, error: toModuleError(err).message });
    });
    this.reconnect = new Reconnector(
      { probe, ffmpeg, config, captureFactory, logger, enqueue, onError: (err) => this.reportError(null, toModuleError(err)) },
      (camera, lostAtMs) => this.handlers.outage.onCameraReturned(camera, lostAtMs),
    );
    this.telemetry = new PeriodicTask(() => this.emitTelemetry());
    this.handlers = new CommandHandlers({
      channel: this.channel, session: this.session, reporter: this.reporter, bus, config, ffmpeg, probe, captureFactory,
      trialFactory, diskGuard, lifecycle, fileSinks, reconnect: this.reconnect, logger, enqueue,
      reportError: (command, error) => this.reportError(command, error),
      hostState: () => this.state,
      describeStatus: () => this.describeStatus(),
      close: (reason) => this.close(reason),
      window, instanceId: hostInfo.instanceId, httpUrl: () => this.httpUrl,
    }, { restartTelemetry: () => this.telemetry.start(this.config.current.telemetry.emit_interval_ms) });
  }

  get state(): RuntimeState {
    return this.closed ? 'closed' : hostState(this.channel.state);
  }

  /**
   * Locates ffmpeg, runs `prepare` (the module's HTTP side), starts telemetry and the disk
   * guard, reports ready. Runs before any queued command. A failing `prepare` is reported
   * as an unrecoverable error instead of ready, and rejects.
   */
  initialize(prepare: () => Promise<void> = async () => undefined): Promise<void> {
    return this.queue.push(() => this.start(prepare));
  }

  private async start(prepare: () => Promise<void>): Promise<void> {
    await this.ffmpeg.initialize();
    try {
      await prepare();
    } catch (err) {
      const cause = toModuleError(err);
      const error = new ModuleError(cause.kind, cause.message, { recoverable: false, field: cause.field ?? undefined });
      this.reportError(null, error);
      throw error;
    }
    const config = this.config.current;
    this.telemetry.start(config.telemetry.emit_interval_ms);
    this.handlers.storage.watch(config.storage.base_path);
    this.reporter.report('ready', {
      module: MODULE_NAME, version: MODULE_VERSION, instance_id: this.hostInfo.instanceId, host_api: HOST_API_VERSION,
      ffmpeg: this.handlers.ffmpegPayload(), http_url: this.httpUrl,
    });
    const missing = this.ffmpeg.error;
    if (missing) this.reportError(null, missing);
    else if (config.storage.repair_on_start) void this.jobs.push(() => this.repairUnfinished());
  }

  /** Completes trials a crash left unfinished under the storage roots; runs beside commands, never before ready. */
  private async repairUnfinished(): Promise<void> {
    for (const dir of new Set(pathRule(this.config.current).roots)) {
      try {
        const report = await this.repairer.repair(dir);
        if (report.trials.length === 0) continue;
        this.reporter.report('trials_repaired', {
          dir, trials_found: report.trialsFound,
          repaired: report.trials.filter((t) => t.outcome === 'repaired').map((t) => ({
            metadata_path: t.metadataPath, frames_total: t.framesTotal,
            indexed_videos: t.videos.filter((v) => v.index === 'added').map((v) => v.path),
          })),
          failed: report.trials.filter((t) => t.outcome === 'failed').map((t) => ({ metadata_path: t.metadataPath, reason: t.reason ?? 'unknown' })),
          skipped: report.trials.filter((t) => t.outcome === 'skipped').length,
        });
      } catch (err) {
        // A root that does not exist yet holds nothing to repair.
        if (errnoCode(err) !== 'ENOENT') this.logger.warn('repairing unfinished trials failed', { dir, error: toModuleError(err).message });
      }
    }
  }

  /** Queues one command; resolves when it has been handled and answered. Never rejects. */
  handle(command: unknown, payload: unknown): Promise<void> {
    return this.queue.push(() => this.run(command, payload));
  }

  /** Finalizes any trial, releases the camera and stops every child. Idempotent. */
  async shutdown(): Promise<void> {
    await this.queue.push(() => this.close('shutdown'));
  }

  /** Answers input that never became a command (not JSON, not an object) in its place in the queue. */
  rejectInput(error: ModuleError): Promise<void> {
    return this.queue.push(async () => this.reportError(null, error));
  }

  /** Resolves when everything received so far has been handled, including trial files being sealed. */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.jobs.idle();
  }

  /** The configuration in force now (the web view reads preview.fps and view.*). */
  get currentConfig(): ResolvedConfig {
    return this.config.current;
  }

  /** What get_storage_info would answer now, without a status on the bus. */
  describeStorage(): Promise<StorageInfoStatus> {
    return this.handlers.storage.describeStorage();
  }

  /** What get_status would answer now, without putting a status on the bus (the web view reads it every second). */
  describeStatus(): StatusReportStatus {
    return describeStatus({
      state: this.state, camera: this.channel.assigned, trial: this.channel.writingTrial, sessionId: this.session.id,
      ffmpeg: this.handlers.ffmpegPayload(), config: this.config.current, httpUrl: this.httpUrl,
    });
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
      const refusal = checkAllowed(parsed.canonical, this.state, {
        sessionId: this.session.id, cameraId: this.channel.assigned?.cameraId ?? null,
      });
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

  private reportError(command: string | null, error: ModuleError): void {
    if (error.kind === 'INTERNAL') this.logger.error('command failed', { command, error: error.message, stack: error.stack });
    this.reporter.report('error', errorPayload(command, error, this.session.id));
  }

  private async close(reason: StopReason): Promise<void> {
    if (this.closed) return;
    await this.handlers.devices.release(reason);
    this.closed = true;
    this.telemetry.stop();
    this.diskGuard.stop();
    await this.jobs.idle();
    await this.processes.stopAll();
  }

  private emitTelemetry(): void {
    const camera = this.channel.camera;
    if (camera && !this.closed) this.reporter.report('telemetry', telemetrySnapshot(camera, this.channel.writingTrial, this.channel.hub));
  }
}
