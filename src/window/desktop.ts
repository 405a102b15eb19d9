import type { Environment } from '../config/environment.js';

/**
 * Whether this process can open a window: an X11 or Wayland session must be named in its
 * environment (RPi_Logger runs its modules inside the user's desktop session).
 */
export function desktopMissing(environment: Environment): string | null {
  if (environment['DISPLAY'] || environment['WAYLAND_DISPLAY']) return null;
  return 'no desktop: neither DISPLAY nor WAYLAND_DISPLAY is set';
}
