import { ModuleError } from '../errors/codes.js';
import type { CameraChannel } from './camera_channel.js';
import type { CameraSession } from './camera_session.js';

/** The open camera for commands that need it capturing; DEVICE_LOST while it is being reopened. */
export function liveCamera(channel: CameraChannel<unknown>): CameraSession {
  const camera = channel.camera;
  if (!camera) throw new ModuleError('DEVICE_LOST', 'Camera was lost and is being reopened; try again after device_ready');
  return camera;
}
