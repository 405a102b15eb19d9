import type { CaptureMode, ControlInfo, ErrorStatus, StatusReportStatus, StorageInfoStatus, TelemetryStatus } from '../generated/schema-types.js';
import type { CapturedFrame } from '../camera_core/types.js';
import type { FrameSink, SubscribeOptions } from '../camera_core/frame_hub.js';
import type { ResolvedConfig } from '../config/config.js';
import type { StatusMessage } from '../events/statuses.js';

/** A probed control as the page shows it: the camera's own description plus why it is inactive now, if it is. */
export interface ViewControl extends ControlInfo {
  /** Set while an automatic mode overrides the control (auto exposure on, ...): the page disables its field. */
  readonly inactive_note: string | null;
}

/** What the last (re)probe found, and the modes the module chose from it. */
export interface ViewCapabilities {
  readonly camera_id: string;
  readonly name: string;
  readonly modes: readonly CaptureMode[];
  readonly controls: readonly ViewControl[];
  readonly capture_mode: CaptureMode;
  readonly record_mode: CaptureMode;
  readonly passthrough: boolean;
  readonly mode_reason: string;
}

/** What one command produced: every status that carried its command_id, and the error among them. */
export interface CommandOutcome {
  readonly command_id: string;
  readonly statuses: readonly StatusMessage[];
  readonly error: ErrorStatus | null;
}

/**
 * Everything the web view needs from the module. Reads are synchronous snapshots; every
 * change goes through send(), the host's own validated command path.
 */
export interface ViewSource {
  /** The module state as get_status would report it now. */
  status(): StatusReportStatus;
  /** The camera's live figures (telemetry's payload), null while no camera delivers frames. */
  telemetry(): TelemetryStatus | null;
  /** The assigned camera's probed capabilities (kept while it is lost), null without a camera. */
  capabilities(): ViewCapabilities | null;
  config(): ResolvedConfig;
  /** The newest frame exactly as the camera sent it, null before the first. */
  latestFrame(): CapturedFrame | null;
  /** A frame hub subscription that survives capture restarts and reconnects. */
  subscribeFrames(name: string, sink: FrameSink, options: SubscribeOptions): () => void;
  /** Every status the module emits, until the returned function is called. */
  onStatus(owner: string, listener: (message: StatusMessage) => void): () => void;
  /** The output volume as get_storage_info would report it, read without a status reaching the host. */
  storage(): Promise<StorageInfoStatus>;
  /** Runs a command through the runtime's queue (schema, state rules, handler) and collects its statuses. */
  send(command: string, payload?: Record<string, unknown>): Promise<CommandOutcome>;
}
