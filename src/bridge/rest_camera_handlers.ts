import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { CameraSession } from '../camera_core/camera_session.js';
import type { HandlerDeps } from './handler_deps.js';
import type { HostHandlers } from './host_handlers.js';

type Deps = Pick<HandlerDeps, 'channel' | 'reporter' | 'httpUrl'>;

/**
 * A frame inlined in preview_frame stays this small, so the status line stays far below the
 * 64 KiB that kills RPi_Logger's reader (base64 grows it by a third); a larger one is served
 * by the module's snapshot URL instead.
 */
export const PREVIEW_INLINE_MAX_BYTES = 36 * 1024;

/**
 * The commands RPi_Logger's REST API sends its camera module (/api/v1/modules/cameras/…),
 * mapped onto what exists: the newest frame, take_snapshot, and apply_config's mode rules.
 */
export class RestCameraHandlers {
  constructor(
    private readonly deps: Deps,
    private readonly host: HostHandlers,
    private readonly applyConfig: (payload: CommandPayloads['apply_config']) => Promise<void>,
  ) {}

  getPreview(): void {
    const camera = this.deps.channel.assigned as CameraSession;
    const frame = this.deps.channel.hub.latest;
    if (!frame) throw new ModuleError('INVALID_STATE', 'No frame captured yet');
    const { width, height } = camera.selection.captureMode;
    const inline = frame.data.length <= PREVIEW_INLINE_MAX_BYTES;
    const url = this.deps.httpUrl();
    this.deps.reporter.report('preview_frame', {
      camera_id: camera.cameraId, format: 'jpeg', width, height,
      sensor_timestamp_ns: frame.sensorTimestampNs.toString(),
      timestamp: new Date(Number(frame.arrival.unixNs / 1_000_000n)).toISOString(),
      frame_base64: inline ? frame.data.toString('base64') : null,
      bytes: frame.data.length,
      preview_url: url === null ? null : `${url}/api/snapshot.jpg`,
    });
  }

  async captureSnapshot(payload: CommandPayloads['capture_snapshot']): Promise<void> {
    if (payload.format === 'png') {
      throw new ModuleError('INVALID_PARAMS', 'format png is not supported: frames are saved exactly as the camera sent them (JPEG); use format jpeg', { field: 'format' });
    }
    await this.host.takeSnapshot({
      ...(payload.save_path ? { path: payload.save_path } : {}),
      ...(payload.command_id !== undefined ? { command_id: payload.command_id } : {}),
    });
  }

  setResolution(payload: CommandPayloads['set_resolution']): Promise<void> {
    return this.applyConfig({ record: { width: payload.width, height: payload.height } });
  }

  setFps(payload: CommandPayloads['set_fps']): Promise<void> {
    return this.applyConfig({ record: { fps: payload.fps } });
  }
}
