import fs from 'node:fs/promises';
import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { LogLevel } from '../logging/logger.js';
import { sanitizeLabel } from '../storage/session_paths.js';
import type { CameraSession } from '../camera_core/camera_session.js';
import { writeNewFile } from '../storage/name_reserver.js';
import type { HandlerDeps } from './handler_deps.js';
import { pathRule, resolveAllowedPath } from '../storage/allowed_roots.js';

type Deps = Pick<HandlerDeps, 'channel' | 'session' | 'reporter' | 'config' | 'logger' | 'lifecycle' | 'fileSinks'>;

const HOST_LEVELS: Record<CommandPayloads['set_log_level']['level'], LogLevel> = {
  debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', critical: 'error',
};

/** Commands a host sends about the module rather than the recording: logging, snapshot, preview, window. */
export class HostHandlers {
  constructor(private readonly deps: Deps) {}

  setLogLevel(payload: CommandPayloads['set_log_level']): void {
    const level = HOST_LEVELS[payload.level];
    this.deps.logger.setLevel?.(level);
    this.deps.reporter.report('log_level_changed', { level, target: payload.target ?? null });
  }

  /** Writes the newest frame as it came from the camera; never overwrites a file. */
  async takeSnapshot(payload: CommandPayloads['take_snapshot']): Promise<void> {
    const camera = this.deps.channel.assigned as CameraSession;
    const frame = this.deps.channel.hub.latest;
    if (!frame) throw new ModuleError('INVALID_STATE', 'No frame captured yet');
    const rule = pathRule(this.deps.config.current);
    const dir = this.deps.session.dir ?? rule.base;
    const stamp = new Date(Number(frame.arrival.unixNs / 1_000_000n)).toISOString().replace(/[-:]/g, '').replace('.', '_');
    const wanted = payload.path ? resolveAllowedPath('path', payload.path, rule) : path.join(dir, `snapshot_${sanitizeLabel(camera.identity.stableId)}_${stamp}.jpg`);
    await fs.mkdir(path.dirname(wanted), { recursive: true });
    const written = await writeNewFile(wanted, frame.data, this.deps.fileSinks);
    const bytes = await fs.stat(written).then((s) => s.size, () => frame.data.length);
    // Written whole before anyone hears of it: opened and closed at once.
    const file = { path: written, kind: 'snapshot' as const, cameraId: camera.cameraId, trialNumber: null };
    this.deps.lifecycle.opened(file);
    this.deps.lifecycle.closed({
      ...file, bytes, frames: 1, firstSensorTimestampNs: frame.sensorTimestampNs, lastSensorTimestampNs: frame.sensorTimestampNs,
    });
    this.deps.reporter.report('snapshot_saved', {
      camera_id: camera.cameraId, path: written, bytes: frame.data.length, sensor_timestamp_ns: frame.sensorTimestampNs.toString(),
    });
  }

  togglePreview(payload: CommandPayloads['toggle_preview']): void {
    const { next } = this.deps.config.preview({ preview: { enabled: payload.enabled } });
    this.deps.config.commit(next);
    this.deps.reporter.report('preview_toggled', { enabled: payload.enabled });
  }
}
