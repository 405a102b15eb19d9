import type { Environment } from '../config/environment.js';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The window's browser profile: under the user's cache folder ($XDG_CACHE_HOME, else
 * ~/.cache), one per module instance so two camera windows are two browsers, created 0700
 * because it holds the HttpOnly cookie that lets the window in.
 */
export function windowProfileDir(instanceId: string | null, environment: Environment): string {
  const cacheRoot = environment['XDG_CACHE_HOME'] && path.isAbsolute(environment['XDG_CACHE_HOME'])
    ? environment['XDG_CACHE_HOME']
    : path.join(os.homedir(), '.cache');
  const instance = createHash('sha256').update(instanceId ?? 'cameras-usb2').digest('hex').slice(0, 16);
  const dir = path.join(cacheRoot, 'cameras-usb2', 'window', instance);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // An existing folder keeps its mode through mkdir: make sure only this user can read the cookie.
  chmodSync(dir, 0o700);
  return dir;
}
