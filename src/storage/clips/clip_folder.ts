import { constants } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../errors/errno.js';
import { ClipRejection } from './clip_window.js';

/** Opens a folder itself (never a link to one) for reading its identity. */
const OPEN_DIR = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

function inside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * A clip's target folder, resolved and opened once, when the job is accepted. Files are then
 * created through the open handle (Linux: `/proc/self/fd/<fd>/<name>`), so a folder swapped for
 * a symbolic link while the job was queued cannot send them elsewhere. Where that path does not
 * lead to the handle's folder (no /proc), each use re-checks that the folder named is still the
 * one opened (device and inode) and refuses otherwise.
 */
export class ClipFolder {
  private closed = false;

  private constructor(
    /** The folder's real path, for names shown to users. */
    readonly real: string,
    private readonly handle: FileHandle,
    private readonly identity: { readonly dev: number; readonly ino: number },
    /** The handle's own path, or null where the platform has none. */
    private readonly viaHandle: string | null,
  ) {}

  /**
   * `requested` (relative to `root`, or absolute) as a folder inside `root` (a real path; also
   * named through `configuredRoot`, the clips folder as configured), 400
   * otherwise. A path outside the root is refused before anything is looked up, so the answer
   * never tells whether it exists.
   */
  static async open(root: string, requested: string | null, configuredRoot: string = root): Promise<ClipFolder> {
    const named = requested === null || requested === '' ? root : path.resolve(root, requested);
    const shown = (requested ?? '').slice(0, 200);
    // The folder as configured may be a link to the real one: absolute paths through it are fine.
    if (!inside(root, named) && !inside(path.resolve(configuredRoot), named)) throw new ClipRejection(400, `out_dir must be inside the clips folder ${root}`);
    let real: string;
    try {
      real = await realpath(named);
    } catch (err) {
      throw new ClipRejection(400, `out_dir '${shown}' does not exist (${errnoCode(err) ?? 'unresolvable'})`);
    }
    if (!inside(root, real)) throw new ClipRejection(400, `out_dir must be inside the clips folder ${root}`);
    let handle: FileHandle;
    try {
      handle = await open(real, OPEN_DIR);
    } catch (err) {
      const code = errnoCode(err);
      const why = code === 'ELOOP' ? 'changed into a symbolic link' : code === 'ENOTDIR' ? 'is not a folder' : code ?? 'unusable';
      throw new ClipRejection(400, `out_dir '${shown}' ${why}`);
    }
    try {
      const own = await handle.stat();
      if (!own.isDirectory()) throw new ClipRejection(400, `out_dir '${shown}' is not a folder`);
      const identity = { dev: own.dev, ino: own.ino };
      const named = await lstat(real);
      // Swapped between realpath and open: refuse rather than guess which one was meant.
      if (named.dev !== identity.dev || named.ino !== identity.ino) throw new ClipRejection(400, `out_dir '${shown}' changed while it was opened`);
      return new ClipFolder(real, handle, identity, await handlePath(handle, identity));
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  /** The path to create, link or remove `name` in this folder by. */
  async pathFor(name: string): Promise<string> {
    if (this.closed) throw new Error(`clip folder ${this.real} is closed`);
    if (this.viaHandle !== null) return path.join(this.viaHandle, name);
    const now = await lstat(this.real).catch(() => null);
    if (now === null || !now.isDirectory() || now.dev !== this.identity.dev || now.ino !== this.identity.ino) {
      throw new Error(`out_dir ${this.real} was replaced after the clip was requested; nothing was written`);
    }
    return path.join(this.real, name);
  }

  /** `name` in this folder as users see it. */
  shown(name: string): string {
    return path.join(this.real, name);
  }

  /** Handle paths in a message, as users see them. */
  readable(message: string): string {
    return this.viaHandle === null ? message : message.split(this.viaHandle).join(this.real);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** `/proc/self/fd/<fd>` when it leads to the handle's own folder (Linux); null elsewhere. */
async function handlePath(handle: FileHandle, identity: { readonly dev: number; readonly ino: number }): Promise<string | null> {
  const candidate = `/proc/self/fd/${handle.fd}`;
  const seen = await stat(candidate).catch(() => null);
  return seen !== null && seen.isDirectory() && seen.dev === identity.dev && seen.ino === identity.ino ? candidate : null;
}
