import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import { CameraSession } from '../camera_core/camera_session.js';
import { readAssignment } from '../camera_core/assignment.js';
import { CameraControls } from '../camera_core/camera_controls.js';
import { reprobeCamera } from '../camera_core/reprobe.js';
import type { StopReason } from '../storage/types.js';
import { pathRule, resolveAllowedPath } from '../storage/allowed_roots.js';
import type { HandlerDeps } from './handler_deps.js';
import type { RecordingHandlers } from './recording_handlers.js';

type Deps = Pick<HandlerDeps, 'channel' | 'session' | 'reporter' | 'reportError' | 'config' | 'ffmpeg' | 'probe' | 'captureFactory' | 'reconnect'>;

/** Commands about the camera itself: assign, release, controls, probing. */
export class DeviceHandlers {
  readonly controls: CameraControls;

  constructor(private readonly deps: Deps, private readonly recording: RecordingHandlers) {
    this.controls = new CameraControls(deps.channel, deps.probe, deps.config, deps.reporter, deps.reportError);
  }

  async assign(payload: CommandPayloads['assign_device']): Promise<void> {
    const { channel, session } = this.deps;
    const { identity, cameraId, deviceId, sessionDir } = readAssignment(payload);
    if (sessionDir && !session.dir) session.dir = resolveAllowedPath('session_dir', sessionDir, pathRule(this.deps.config.current));
    const current = channel.camera;
    if (current && current.cameraId === cameraId && current.identity.devicePath === identity.devicePath) {
      // The host retries an assign it has not heard back from in time: answer again, keep recording.
      this.reportReady(current);
      return;
    }
    await this.release('device_replaced');
    try {
      this.deps.ffmpeg.require();
      const camera = await CameraSession.open(identity, deviceId, this.deps.config.current, this.deps.probe, this.deps.captureFactory);
      channel.apply({ type: 'opened', camera });
      this.reportReady(camera);
      await this.controls.applyConfigured(camera);
    } catch (err) {
      const error = err instanceof ModuleError ? err : new ModuleError('DEVICE_FAILED', String(err), { cause: err });
      this.deps.reporter.report('device_error', { camera_id: cameraId, device_id: deviceId, error: error.message, code: error.code });
    }
  }

  reportReady(camera: CameraSession): void {
    const { captureMode, recordMode, previewMode, passthrough, reason } = camera.selection;
    this.deps.reporter.report('device_ready', {
      camera_id: camera.cameraId, device_id: camera.deviceId, name: camera.identity.name,
      device_path: camera.identity.devicePath, resolution: `${captureMode.width}x${captureMode.height}`,
      fps: captureMode.fps, capture_mode: captureMode, record_mode: recordMode, preview_mode: previewMode,
      passthrough, mode_reason: reason,
    });
  }

  /** Ends any trial, stops waiting for a lost camera, closes the camera; returns the released camera_id. */
  async release(reason: StopReason): Promise<string | null> {
    const { channel, reconnect } = this.deps;
    await this.recording.finishTrial(reason);
    reconnect.cancel();
    const camera = channel.assigned;
    if (!camera) return null;
    const open = channel.camera;
    channel.apply({ type: 'released' });
    if (open) await open.close();
    this.deps.reporter.report('device_released', { camera_id: camera.cameraId, device_id: camera.deviceId });
    return camera.cameraId;
  }

  async unassign(): Promise<void> {
    await this.release('command');
  }

  async unassignAll(): Promise<void> {
    const released = await this.release('shutdown');
    this.deps.reporter.report('device_unassigned', { released: released ? [released] : [] });
  }

  async controlChange(payload: CommandPayloads['control_change']): Promise<void> {
    await this.controls.change(payload.control, payload.value);
  }

  async reprobe(): Promise<void> {
    await reprobeCamera(this.deps.channel, this.deps.probe, this.deps.config, this.deps.reporter, () => this.reopenCamera());
  }

  /** After a mode change: the same camera, closed and opened again with the new configuration. */
  async reopenCamera(): Promise<void> {
    const camera = this.deps.channel.assigned as CameraSession;
    await this.release('device_replaced');
    await this.assign({
      camera_id: { backend: camera.identity.backend, stable_id: camera.identity.stableId },
      descriptor: { name: camera.identity.name, device_path: camera.identity.devicePath, usb_path: camera.identity.usbPath },
    });
  }
}
