import { realpath, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import si from 'systeminformation';
import { silentLogger, type Logger } from '../host/logger.js';

export interface DiskStats {
  /** The path asked about. */
  readonly path: string;
  /** The mount point (or, from the statfs fallback, the nearest existing folder). */
  readonly mount: string;
  readonly totalBytes: number;
  readonly availableBytes: number;
}

/** Free space of the volume a path lives on; a DI seam so tests fake the disk. */
export interface DiskStatsProvider {
  stats(targetPath: string): Promise<DiskStats>;
}

export interface MountUsage {
  readonly mount: string;
  readonly size: number;
  readonly available: number;
}

/**
 * systeminformation's fsSize() (df / wmic / diskutil under the hood), matched to the
 * realpath of the nearest existing ancestor, longest mount prefix winning. fsSize leaves
 * some volumes out (tmpfs on Linux), so a match on another device than the path's, or
 * any failure, falls back to fs.statfs on the path itself.
 */
export class SystemDiskStatsProvider implements DiskStatsProvider {
  constructor(
    private readonly logger: Logger = silentLogger,
    private readonly listMounts: () => Promise<MountUsage[]> = () => si.fsSize(),
  ) {}

  async stats(targetPath: string): Promise<DiskStats> {
    const existing = await nearestExistingAncestor(path.resolve(targetPath));
    const real = await realpath(existing);
    try {
      const fromMounts = await this.fromMountList(targetPath, real);
      if (fromMounts !== null) return fromMounts;
      this.logger.debug('disk stats: no listed mount holds the path; using statfs', { path: real });
    } catch (err) {
      this.logger.debug('disk stats: mount list failed; using statfs', { path: real, error: String(err) });
    }
    return statfsStats(targetPath, real);
  }

  private async fromMountList(targetPath: string, real: string): Promise<DiskStats | null> {
    const mount = pickMount(await this.listMounts(), real);
    if (mount === null) return null;
    const [pathDevice, mountDevice] = await Promise.all([stat(real), stat(mount.mount)]);
    if (pathDevice.dev !== mountDevice.dev) return null;
    return { path: targetPath, mount: mount.mount, totalBytes: mount.size, availableBytes: mount.available };
  }
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

async function statfsStats(targetPath: string, real: string): Promise<DiskStats> {
  const fsStats = await statfs(real);
  return {
    path: targetPath,
    mount: real,
    totalBytes: fsStats.blocks * fsStats.bsize,
    availableBytes: fsStats.bavail * fsStats.bsize,
  };
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
