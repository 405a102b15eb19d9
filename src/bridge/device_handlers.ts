import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import path from 'node:path';
import type { CamerasRuntime } from './runtime.js';
import { CameraSession } from './camera_session.js';
import { readAssignment } from './assignment.js';
import { CameraControls } from './camera_controls.js';
import { reprobeCamera } from './reprobe.js';

/** Commands about the camera itself: assign, release, controls, probing. */
export class DeviceHandlers {
  readonly controls: CameraControls;

  constructor(private readonly rt: CamerasRuntime) {
    this.controls = new CameraControls(rt);
  }

  async assign(payload: CommandPayloads['assign_device']): Promise<void> {
    const { identity, cameraId, deviceId, sessionDir } = readAssignment(payload);
    if (sessionDir && !this.rt.session.dir) this.rt.session = { ...this.rt.session, dir: path.resolve(sessionDir) };
    const current = this.rt.camera;
    if (current && !this.rt.reconnect.active && current.cameraId === cameraId && current.identity.devicePath === identity.devicePath) {
      // The host retries an assign it has not heard back from in time: answer again, keep recording.
      this.reportReady(current);
      return;
    }
    await this.rt.releaseCamera('device_replaced');
    try {
      this.rt.ffmpeg.require();
      const camera = await CameraSession.open(identity, deviceId, this.rt.config.current, this.rt.probe, this.rt.captureFactory);
      this.rt.attachCamera(camera);
      this.reportReady(camera);
      await this.controls.applyConfigured(camera);
    } catch (err) {
      const error = err instanceof ModuleError ? err : new ModuleError('DEVICE_FAILED', String(err), { cause: err });
      this.rt.reporter.report('device_error', { camera_id: cameraId, device_id: deviceId, error: error.message, code: error.code });
    }
  }

  reportReady(camera: CameraSession): void {
    const { captureMode, recordMode, previewMode, passthrough, reason } = camera.selection;
    this.rt.reporter.report('device_ready', {
      camera_id: camera.cameraId, device_id: camera.deviceId, name: camera.identity.name,
      device_path: camera.identity.devicePath, resolution: `${captureMode.width}x${captureMode.height}`,
      fps: captureMode.fps, capture_mode: captureMode, record_mode: recordMode, preview_mode: previewMode,
      passthrough, mode_reason: reason,
    });
  }
  async unassign(): Promise<void> {
    await this.rt.releaseCamera('command');
  }
  async unassignAll(): Promise<void> {
    const released = await this.rt.releaseCamera('shutdown');
    this.rt.reporter.report('device_unassigned', { released: released ? [released] : [] });
  }
  async controlChange(payload: CommandPayloads['control_change']): Promise<void> {
    await this.controls.change(payload.control, payload.value);
  }
  async reprobe(): Promise<void> {
    await reprobeCamera(this.rt, this);
  }
  /** After a mode change: the same camera, closed and opened again with the new configuration. */
  async reopenCamera(): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    await this.rt.releaseCamera('device_replaced');
    await this.assign({
      camera_id: { backend: camera.identity.backend, stable_id: camera.identity.stableId },
      descriptor: { name: camera.identity.name, device_path: camera.identity.devicePath, usb_path: camera.identity.usbPath },
    });
  }
}
