import fs from 'node:fs/promises';
import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { LogLevel } from '../host/logger.js';
import { sanitizeLabel } from '../storage/session_paths.js';
import { writeNewFile } from '../storage/name_reserver.js';
import type { CamerasRuntime } from './runtime.js';
import type { CameraSession } from './camera_session.js';

const HOST_LEVELS: Record<CommandPayloads['set_log_level']['level'], LogLevel> = {
  debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', critical: 'error',
};

/** Commands a host sends about the module rather than the recording: logging, snapshot, preview, window. */
export class HostHandlers {
  constructor(private readonly rt: CamerasRuntime) {}

  setLogLevel(payload: CommandPayloads['set_log_level']): void {
    const level = HOST_LEVELS[payload.level];
    this.rt.logger.setLevel?.(level);
    this.rt.reporter.report('log_level_changed', { level, target: payload.target ?? null });
  }

  /** Writes the newest frame as it came from the camera; never overwrites a file. */
  async takeSnapshot(payload: CommandPayloads['take_snapshot']): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    const frame = camera.lastFrame;
    if (!frame) throw new ModuleError('INVALID_STATE', 'No frame captured yet');
    const dir = this.rt.session.dir ?? path.resolve(this.rt.config.current.storage.base_path);
    const stamp = new Date(Number(frame.arrival.unixNs / 1_000_000n)).toISOString().replace(/[-:]/g, '').replace('.', '_');
    const wanted = payload.path ? path.resolve(payload.path) : path.join(dir, `snapshot_${sanitizeLabel(camera.identity.stableId)}_${stamp}.jpg`);
    await fs.mkdir(path.dirname(wanted), { recursive: true });
    const written = await writeNewFile(wanted, frame.data);
    this.rt.reporter.report('snapshot_saved', {
      camera_id: camera.cameraId, path: written, bytes: frame.data.length, sensor_timestamp_ns: frame.sensorTimestampNs.toString(),
    });
  }

  togglePreview(payload: CommandPayloads['toggle_preview']): void {
    const { next } = this.rt.config.preview({ preview: { enabled: payload.enabled } });
    this.rt.config.commit(next);
    this.rt.reporter.report('preview_toggled', { enabled: payload.enabled });
  }

  reportNoWindow(): void {
    this.rt.reporter.report('window_state', {
      available: false, visible: false, geometry: null,
      reason: 'cameras-usb2 runs headless and draws no window; recording is unaffected',
    });
  }
}
