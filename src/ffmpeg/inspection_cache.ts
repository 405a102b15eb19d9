import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Environment } from '../config/environment.js';

/** The cache folder: `$XDG_CACHE_HOME/cameras-usb2`, else `~/.cache/cameras-usb2` (never a shared /tmp). */
export function cacheFolder(env: Environment = process.env, home: string = os.homedir()): string {
  const xdg = env['XDG_CACHE_HOME'];
  // The XDG spec ignores a relative value; so do we.
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  return path.join(base, 'cameras-usb2');
}

const CACHE_FILE_NAME = 'ffmpeg-inspection.json';
/** Far more than a few binaries' answers: a larger file is not ours and is not read. */
const MAX_CACHE_BYTES = 1 << 20;
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

type Entries<T> = Record<string, { size: number; mtimeMs: number; value: T }>;

/**
 * Remembers what an ffmpeg binary answered (version, capabilities) keyed by its real path,
 * size and modification time, so a restart skips the four probing calls (~200 ms, more on
 * a Raspberry Pi) and reports `ready` sooner. A changed or replaced binary misses the cache.
 *
 * The file lives in the user's own cache folder (made 0700). What another account could
 * have planted is never trusted: a cache file or folder not owned by this user, or writable
 * by group or others, is ignored (and not written), a symlink is not followed, and a new
 * cache is written under a random name created exclusively, then renamed into place.
 */
export class InspectionCache<T> {
  constructor(private readonly file: string = path.join(cacheFolder(), CACHE_FILE_NAME)) {}

  async get(binary: string, inspect: () => Promise<T | null>): Promise<T | null> {
    const key = await this.keyOf(binary);
    if (key === null) return inspect();
    const folderOk = await this.prepareFolder();
    const entries = folderOk ? await this.read() : {};
    const hit = entries[key.path];
    if (hit && hit.size === key.size && hit.mtimeMs === key.mtimeMs) return hit.value;
    const value = await inspect();
    if (value !== null && folderOk) await this.write({ ...entries, [key.path]: { ...key, value } });
    return value;
  }

  private async keyOf(binary: string): Promise<{ path: string; size: number; mtimeMs: number } | null> {
    try {
      const real = await fs.realpath(binary);
      const stat = await fs.stat(real);
      return { path: real, size: stat.size, mtimeMs: stat.mtimeMs };
    } catch {
      return null; // not a file we can stat (a bare name resolved by the spawner): no caching
    }
  }

  /** Creates the folder (0700) if missing; false when it is not a private folder of this user. */
  private async prepareFolder(): Promise<boolean> {
    const folder = path.dirname(this.file);
    try {
      await fs.mkdir(folder, { recursive: true, mode: 0o700 });
      const stats = await fs.lstat(folder);
      return stats.isDirectory() && trustworthy(stats);
    } catch {
      return false;
    }
  }

  private async read(): Promise<Entries<T>> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.file, READ_FLAGS);
      const stats = await handle.stat();
      if (!stats.isFile() || !trustworthy(stats) || stats.size > MAX_CACHE_BYTES) return {};
      const parsed: unknown = JSON.parse(await handle.readFile('utf8'));
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Entries<T> : {};
    } catch {
      return {};
    } finally {
      await handle?.close();
    }
  }

  /** Best effort, atomic: a cache that cannot be written only costs the next start some time. */
  private async write(entries: object): Promise<void> {
    const partial = `${this.file}.${randomBytes(8).toString('hex')}.tmp`;
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(partial, CREATE_FLAGS, 0o600);
      await handle.writeFile(JSON.stringify(entries));
      await handle.close();
      handle = undefined;
      await fs.rename(partial, this.file);
    } catch {
      await handle?.close().catch(() => undefined);
      await fs.rm(partial, { force: true });
    }
  }
}

/** Owned by this user and not writable by group or others (POSIX; Windows has neither notion here). */
function trustworthy(stats: { uid: number; mode: number }): boolean {
  if (process.platform === 'win32') return true;
  return stats.uid === process.getuid?.() && (stats.mode & 0o022) === 0;
}
