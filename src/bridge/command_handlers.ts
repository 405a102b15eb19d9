import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { CamerasRuntime } from './runtime.js';
import type { ParsedCommand } from './commands.js';
import { describeStatus } from './status_report.js';
import { DeviceHandlers } from './device_handlers.js';
import { RecordingHandlers } from './recording_handlers.js';
import { HostHandlers } from './host_handlers.js';
import { StorageHandlers } from './storage_handlers.js';

/** One handler per canonical command; the runtime has already validated and state-checked it. */
export class CommandHandlers {
  readonly devices: DeviceHandlers;
  readonly recording: RecordingHandlers;
  readonly host: HostHandlers;
  readonly storage: StorageHandlers;

  constructor(private readonly rt: CamerasRuntime) {
    this.devices = new DeviceHandlers(rt);
    this.recording = new RecordingHandlers(rt);
    this.host = new HostHandlers(rt);
    this.storage = new StorageHandlers(rt);
  }

  async dispatch(command: ParsedCommand): Promise<void> {
    switch (command.canonical) {
      case 'assign_device': return this.devices.assign(command.payload);
      case 'unassign_device': return this.devices.unassign();
      case 'unassign_all_devices': return this.devices.unassignAll();
      case 'start_recording': return this.recording.startRecording(command.payload);
      case 'stop_recording': return this.rt.finishTrial('command');
      case 'resume_recording': return this.recording.resume();
      case 'start_session': return this.recording.startSession(command.payload);
      case 'stop_session': return this.recording.stopSession();
      case 'apply_config': return this.applyConfig(command.payload);
      case 'control_change': return this.devices.controlChange(command.payload);
      case 'reprobe': return this.devices.reprobe();
      case 'get_status': return this.rt.reporter.report('status_report', describeStatus(this.rt));
      case 'get_storage_info': return this.storage.getStorageInfo();
      case 'quit': return this.quit();
      case 'set_log_level': return this.host.setLogLevel(command.payload);
      case 'take_snapshot': return this.host.takeSnapshot(command.payload);
      case 'toggle_preview': return this.host.togglePreview(command.payload);
      case 'show_window':
      case 'hide_window':
      case 'get_geometry': return this.host.reportNoWindow();
    }
  }

  private async applyConfig(payload: CommandPayloads['apply_config']): Promise<void> {
    const { command_id: _id, timestamp: _ts, ...patch } = payload;
    const { next, changes } = this.rt.config.preview(patch);
    const restart = changes.some((c) => c.effect === 'restart_capture') && this.rt.camera !== null;
    if (restart && this.rt.state === 'recording') {
      throw new ModuleError('ALREADY_RECORDING', 'Camera is currently recording; a mode change needs the trial paused first', {
        data: { session_id: this.rt.session.id, changes: changes.map((c) => c.key) },
      });
    }
    const controls = this.devices.controls.plan(next, changes);
    this.rt.config.commit(next);
    if (changes.some((c) => c.key.startsWith('telemetry.'))) this.rt.restartTelemetry();
    if (changes.some((c) => c.key.startsWith('guard.') || c.key === 'storage.base_path')) {
      this.rt.watchDisk(next.storage.base_path);
    }
    if (restart) await this.devices.reopenCamera();
    else await this.devices.controls.apply(controls);
    this.rt.reporter.report('config_applied', {
      applied: changes.map((c) => c.key),
      restarted_capture: restart,
      next_recording: changes.filter((c) => c.effect === 'next_recording').map((c) => c.key),
    });
  }

  private async quit(): Promise<void> {
    await this.rt.close('shutdown');
    this.rt.reporter.report('quitting', {});
  }
}
