import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { CameraIdentity } from '../camera_core/types.js';
import type { CamerasRuntime } from './runtime.js';
import { CameraSession } from './camera_session.js';

/** Commands about the camera itself: assign, release, controls, probing. */
export class DeviceHandlers {
  constructor(private readonly rt: CamerasRuntime) {}

  async assign(payload: CommandPayloads['assign_device']): Promise<void> {
    const identity: CameraIdentity = {
      backend: payload.camera_id.backend,
      stableId: payload.camera_id.stable_id,
      name: payload.descriptor.name,
      devicePath: payload.descriptor.device_path,
      usbPath: payload.descriptor.usb_path ?? null,
    };
    const cameraId = `${identity.backend}:${identity.stableId}`;
    await this.rt.releaseCamera('device_replaced');
    try {
      this.rt.ffmpeg.require();
      const camera = await CameraSession.open(identity, cameraId, this.rt.config.current, this.rt.probe, this.rt.captureFactory);
      this.rt.attachCamera(camera);
      this.reportReady(camera);
    } catch (err) {
      const error = err instanceof ModuleError ? err : new ModuleError('DEVICE_FAILED', String(err), { cause: err });
      this.rt.reporter.report('device_error', { camera_id: cameraId, device_id: cameraId, error: error.message, code: error.code });
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
    const camera = this.rt.camera as CameraSession;
    await this.rt.probe.setControl(camera.identity, payload.control, payload.value);
    this.rt.reporter.report('control_changed', { control: payload.control, value: payload.value, note: null });
  }
  async reprobe(): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    camera.capabilities = await this.rt.probe.probe(camera.identity);
    this.rt.reporter.report('device_capabilities', {
      camera_id: camera.cameraId, modes: [...camera.capabilities.modes], controls: [...camera.capabilities.controls],
    });
  }
  async reopenCamera(): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    await this.assign({
      camera_id: { backend: camera.identity.backend, stable_id: camera.identity.stableId },
      descriptor: { name: camera.identity.name, device_path: camera.identity.devicePath, usb_path: camera.identity.usbPath },
    });
  }}
