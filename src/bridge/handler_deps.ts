import type { CameraChannel } from '../camera_core/camera_channel.js';
import type { Reconnector } from '../camera_core/reconnect.js';
import type { CaptureSourceFactory, DeviceProbe } from '../camera_core/types.js';
import type { ConfigStore } from '../config/config_store.js';
import type { ErrorReporter } from '../events/error_status.js';
import type { StatusReporter } from '../events/status_reporter.js';
import type { ModuleBus } from '../events/module_bus.js';
import type { FfmpegProvider } from '../ffmpeg/provider.js';
import type { Logger } from '../logging/logger.js';
import type { DiskGuard } from '../storage/disk_guard.js';
import type { FileLifecycle } from '../storage/file_lifecycle.js';
import type { FileSinks } from '../storage/sinks/file_sinks.js';
import type { StopReason, TrialRecorder, TrialRecorderFactory } from '../storage/types.js';
import type { RuntimeState } from './command_rules.js';
import type { StatusReportStatus } from '../generated/schema-types.js';
import type { SessionState } from './session_state.js';
import type { WindowPort } from '../window/window_port.js';

/**
 * The parts command handlers are built from. Each handler names the few it uses
 * (Pick<HandlerDeps, ...>), so what a handler touches is visible in its constructor.
 */
export interface HandlerDeps {
  readonly channel: CameraChannel<TrialRecorder>;
  readonly session: SessionState;
  readonly reporter: StatusReporter;
  /** Domain events for consumers inside the module (disk state, frames lost, files). */
  readonly bus: ModuleBus;
  readonly reportError: ErrorReporter;
  readonly config: ConfigStore;
  readonly ffmpeg: FfmpegProvider;
  readonly probe: DeviceProbe;
  readonly captureFactory: CaptureSourceFactory;
  readonly trialFactory: TrialRecorderFactory;
  readonly diskGuard: DiskGuard;
  /** Files written outside a trial (snapshots) announce themselves here too. */
  readonly lifecycle: FileLifecycle;
  /** Where files outside a trial (snapshots) are filled: plain or encrypted. */
  readonly fileSinks: FileSinks;
  readonly reconnect: Reconnector;
  readonly logger: Logger;
  /** Runs a task in the runtime's serial queue (events from timers and children). */
  readonly enqueue: (task: () => Promise<void>) => Promise<void>;
  readonly hostState: () => RuntimeState;
  /** get_status's answer as of now. */
  readonly describeStatus: () => StatusReportStatus;
  /** The module's window (RPi_Logger's GUI): a browser app window showing the view, or none. */
  readonly window: WindowPort;
  /** The host's name for this instance (RPi_Logger's --instance-id), echoed in window statuses. */
  readonly instanceId: string | null;
  /** The module's HTTP server, when it runs (web view, clip API). */
  readonly httpUrl: () => string | null;
  /** Releases everything and marks the module closed (quit). */
  readonly close: (reason: StopReason) => Promise<void>;
}
