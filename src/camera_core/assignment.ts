import type { AssignDeviceCommand, AssignDeviceFlat } from '../generated/schema-types.js';
import type { CameraIdentity } from '../camera_core/types.js';

/** What assign_device says, whichever of its two shapes it came in. */
export interface Assignment {
  readonly identity: CameraIdentity;
  /** "backend:stable_id", the camera_id of statuses. */
  readonly cameraId: string;
  /** The host's id for the device, echoed in device_ready/device_error. */
  readonly deviceId: string;
  /** The RPi_Logger host names the session folder already in assign_device. */
  readonly sessionDir: string | null;
}

const isFlat = (payload: AssignDeviceCommand): payload is AssignDeviceFlat => 'device_id' in payload;

export function readAssignment(payload: AssignDeviceCommand): Assignment {
  if (isFlat(payload)) {
    const stableId = payload.camera_stable_id ?? payload.device_id.replace(/^[a-z]+:/, '');
    const identity: CameraIdentity = {
      backend: payload.camera_type ?? 'usb',
      stableId,
      name: payload.camera_hw_model ?? payload.display_name ?? stableId,
      devicePath: payload.camera_dev_path,
      usbPath: payload.camera_location ?? null,
    };
    return { identity, cameraId: `${identity.backend}:${stableId}`, deviceId: payload.device_id, sessionDir: payload.session_dir ?? null };
  }
  const identity: CameraIdentity = {
    backend: payload.camera_id.backend,
    stableId: payload.camera_id.stable_id,
    name: payload.descriptor.name,
    devicePath: payload.descriptor.device_path,
    usbPath: payload.descriptor.usb_path ?? null,
  };
  const cameraId = `${identity.backend}:${identity.stableId}`;
  return { identity, cameraId, deviceId: cameraId, sessionDir: null };
}
