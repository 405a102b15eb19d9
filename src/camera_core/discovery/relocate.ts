import type { CameraIdentity } from '../types.js';
import { looksLikeUsbStableId } from './stable_id.js';
import type { DiscoveryResult } from './types.js';

/**
 * Where a V4L2 camera that went away is now: re-plugged, it may come back as another
 * /dev/videoN, so it is found again by its stable id (its USB port). Null means "not
 * back yet". Without sysfs nothing better than the old node can be tried; a host whose
 * ids are not port paths gets its old node back only if that node exists again.
 */
export function relocateV4l2Camera(identity: CameraIdentity, found: DiscoveryResult): CameraIdentity | null {
  if (!found.listingAvailable) return identity;
  const match = found.cameras.find((c) => c.stableId === identity.stableId);
  if (match) return { ...identity, devicePath: match.devicePath, usbPath: match.usbPath ?? identity.usbPath };
  if (looksLikeUsbStableId(identity.stableId)) return null;
  return found.cameras.some((c) => c.devicePath === identity.devicePath) ? identity : null;
}
