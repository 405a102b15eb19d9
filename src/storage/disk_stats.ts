import { realpath, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger, type Logger } from '../logging/logger.js';

export interface DiskStats {
  /** The path asked about. */
  readonly path: string;
  /** The mount point (or, from the statfs fallback, the nearest existing folder). */
  readonly mount: string;
  readonly totalBytes: number;
  readonly availableBytes: number;
}

export interface DiskStatsOptions {
  /**
   * false: statfs only, the mount named from the cache or by the path. The guard's polls and
   * the record path use this, so they never wait on (or start) a child process.
   */
  readonly mountName?: boolean;
}

/** Free space of the volume a path lives on; a DI seam so tests fake the disk. */
export interface DiskStatsProvider {
  stats(targetPath: string, options?: DiskStatsOptions): Promise<DiskStats>;
}

export interface MountUsage {
  readonly mount: string;
  readonly size: number;
  readonly available: number;
}

const MOUNT_CACHE_MS = 60_000;

/**
 * Free space from fs.statfs on the path itself (exact for the volume that holds it, and no
 * child process: the guard polls it every few seconds beside running cameras). The mount
 * point's name comes from systeminformation's fsSize() (df / wmic / diskutil), looked up
 * at most once a minute per path; volumes it does not list (tmpfs) are named by the path.
 */
export class SystemDiskStatsProvider implements DiskStatsProvider {
  private readonly mounts = new Map<string, { mount: string; at: number }>();

  constructor(
    private readonly logger: Logger = silentLogger,
    private readonly listMounts: () => Promise<MountUsage[]> = listMountsWithSysteminformation,
  ) {}

  async stats(targetPath: string, options: DiskStatsOptions = {}): Promise<DiskStats> {
    const real = await realpath(await nearestExistingAncestor(path.resolve(targetPath)));
    const fsStats = await statfs(real);
    return {
      path: targetPath,
      mount: options.mountName === false ? this.mounts.get(real)?.mount ?? real : await this.mountOf(real),
      totalBytes: fsStats.blocks * fsStats.bsize,
      availableBytes: fsStats.bavail * fsStats.bsize,
    };
  }

  private async mountOf(real: string): Promise<string> {
    const cached = this.mounts.get(real);
    if (cached && Date.now() - cached.at < MOUNT_CACHE_MS) return cached.mount;
    let mount = real;
    try {
      const listed = pickMount(await this.listMounts(), real);
      if (listed !== null && (await stat(real)).dev === (await stat(listed.mount)).dev) mount = listed.mount;
    } catch (err) {
      this.logger.debug('disk stats: mount list failed; naming the volume by the path', { path: real, error: String(err) });
    }
    this.mounts.set(real, { mount, at: Date.now() });
    return mount;
  }
}

/** systeminformation is large; it is loaded the first time a mount is looked up, not at start-up. */
async function listMountsWithSysteminformation(): Promise<MountUsage[]> {
  const si = await import('systeminformation');
  return si.default.fsSize();
}

/** The mount containing `real`, longest prefix first; case-insensitive on Windows drives. */
export function pickMount<T extends MountUsage>(mounts: readonly T[], real: string): T | null {
  const normalize = (p: string): string => (process.platform === 'win32' ? p.toLowerCase() : p);
  const target = normalize(real);
  let best: T | null = null;
  for (const mount of mounts) {
    if (!mount.mount) continue;
    const prefix = normalize(mount.mount);
    const withSep = prefix.endsWith(path.sep) ? prefix : `${prefix}${path.sep}`;
    const contains = target === prefix || target.startsWith(withSep);
    if (contains && (best === null || mount.mount.length > best.mount.length)) best = mount;
  }
  return best;
}

/** A folder that does not exist yet lives on the volume of its nearest existing ancestor. */
export async function nearestExistingAncestor(absolutePath: string): Promise<string> {
  let current = absolutePath;
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch (err) {
      const parent = path.dirname(current);
      if (parent === current) throw err;
      current = parent;
    }
  }
}
