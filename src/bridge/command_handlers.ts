import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { ParsedCommand } from './commands.js';
import type { HandlerDeps } from './handler_deps.js';
import { DeviceHandlers } from './device_handlers.js';
import { RecordingHandlers } from './recording_handlers.js';
import { HostHandlers } from './host_handlers.js';
import { StorageHandlers } from './storage_handlers.js';
import { OutageHandlers } from './outage_handlers.js';
import { WindowHandlers } from './window_handlers.js';
import { RestCameraHandlers } from './rest_camera_handlers.js';

/** Whatever apply_config must restart besides the camera. */
export interface ConfigEffects {
  readonly restartTelemetry: () => void;
}

/** One handler per canonical command; the runtime has already validated and state-checked it. */
export class CommandHandlers {
  readonly devices: DeviceHandlers;
  readonly recording: RecordingHandlers;
  readonly host: HostHandlers;
  readonly storage: StorageHandlers;
  readonly outage: OutageHandlers;
  readonly window: WindowHandlers;
  readonly rest: RestCameraHandlers;

  constructor(private readonly deps: HandlerDeps, private readonly effects: ConfigEffects) {
    this.storage = new StorageHandlers(deps, (reason) => this.recording.finishTrial(reason));
    this.recording = new RecordingHandlers(deps, this.storage);
    this.devices = new DeviceHandlers(deps, this.recording);
    this.outage = new OutageHandlers(deps, this.recording, this.devices);
    this.host = new HostHandlers(deps);
    this.window = new WindowHandlers(deps);
    this.rest = new RestCameraHandlers(deps, this.host, (payload) => this.applyConfig(payload));
  }

  async dispatch(command: ParsedCommand): Promise<void> {
    switch (command.canonical) {
      case 'assign_device': return this.devices.assign(command.payload);
      case 'unassign_device': return this.devices.unassign();
      case 'unassign_all_devices': return this.devices.unassignAll();
      case 'start_recording': return this.recording.startRecording(command.payload);
      case 'stop_recording': return this.recording.finishTrial('command');
      case 'resume_recording': return this.recording.resume();
      case 'start_session': return this.recording.startSession(command.payload);
      case 'stop_session': return this.recording.stopSession();
      case 'apply_config': return this.applyConfig(command.payload);
      case 'control_change': return this.devices.controlChange(command.payload);
      case 'reprobe': return this.devices.reprobe();
      case 'get_status': return this.reportStatus();
      case 'get_storage_info': return this.storage.getStorageInfo();
      case 'quit': return this.quit();
      case 'set_log_level': return this.host.setLogLevel(command.payload);
      case 'take_snapshot': return this.host.takeSnapshot(command.payload);
      case 'toggle_preview': return this.host.togglePreview(command.payload);
      case 'show_window': return this.window.show();
      case 'hide_window': return this.window.hide();
      case 'get_geometry': return this.window.getGeometry();
      case 'get_preview': return this.rest.getPreview();
      case 'capture_snapshot': return this.rest.captureSnapshot(command.payload);
      case 'set_resolution': return this.rest.setResolution(command.payload);
      case 'set_fps': return this.rest.setFps(command.payload);
    }
  }

  ffmpegPayload(): { path: string; version: string; source: string } | null {
    const info = this.deps.ffmpeg.current;
    return info ? { path: info.path, version: info.version, source: info.source } : null;
  }

  private reportStatus(): void {
    this.deps.reporter.report('status_report', this.deps.describeStatus());
  }


  private async applyConfig(payload: CommandPayloads['apply_config']): Promise<void> {
    const { config, channel, reporter } = this.deps;
    const { command_id: _id, timestamp: _ts, ...patch } = payload;
    // A mode field left open follows the camera: re-stating the mode it runs in is no change.
    const { next, changes } = config.preview(patch, channel.assigned?.selection.recordMode ?? null);
    const restart = changes.some((c) => c.effect === 'restart_capture') && channel.assigned !== null;
    if (restart && this.deps.hostState() === 'recording') {
      throw new ModuleError('ALREADY_RECORDING', 'Camera is currently recording; a mode change needs the trial paused first', {
        data: { session_id: this.deps.session.id, changes: changes.map((c) => c.key) },
      });
    }
    const controls = this.devices.controls.plan(next, changes);
    config.commit(next);
    if (changes.some((c) => c.key.startsWith('telemetry.'))) this.effects.restartTelemetry();
    const basePathChanged = changes.some((c) => c.key === 'storage.base_path');
    if (basePathChanged || changes.some((c) => c.key.startsWith('guard.'))) this.storage.rewatch(basePathChanged);
    if (restart) await this.devices.reopenCamera();
    else await this.devices.controls.apply(controls);
    reporter.report('config_applied', {
      applied: changes.map((c) => c.key),
      restarted_capture: restart,
      next_recording: changes.filter((c) => c.effect === 'next_recording').map((c) => c.key),
    });
  }

  private async quit(): Promise<void> {
    // Before the window closes: the host keeps the layout from this last geometry_changed.
    await this.deps.window.beforeQuit();
    await this.deps.close('shutdown');
    this.deps.reporter.report('quitting', {});
  }
}
