import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Remembers what an ffmpeg binary answered (version, capabilities) keyed by its real path,
 * size and modification time, so a restart skips the four probing calls (~200 ms, more on
 * a Raspberry Pi) and reports `ready` sooner. A changed or replaced binary misses the cache.
 */
export class InspectionCache<T> {
  constructor(private readonly file: string = path.join(os.tmpdir(), `cameras-usb2-ffmpeg-${process.getuid?.() ?? 'user'}.json`)) {}

  async get(binary: string, inspect: () => Promise<T | null>): Promise<T | null> {
    const key = await this.keyOf(binary);
    if (key === null) return inspect();
    const entries = await this.read();
    const hit = entries[key.path];
    if (hit && hit.size === key.size && hit.mtimeMs === key.mtimeMs) return hit.value;
    const value = await inspect();
    if (value !== null) await this.write({ ...entries, [key.path]: { ...key, value } });
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

  private async read(): Promise<Record<string, { size: number; mtimeMs: number; value: T }>> {
    try {
      return JSON.parse(await fs.readFile(this.file, 'utf8')) as Record<string, { size: number; mtimeMs: number; value: T }>;
    } catch {
      return {};
    }
  }

  /** Best effort, atomic: a cache that cannot be written only costs the next start some time. */
  private async write(entries: object): Promise<void> {
    const partial = `${this.file}.${process.pid}.tmp`;
    try {
      await fs.writeFile(partial, JSON.stringify(entries));
      await fs.rename(partial, this.file);
    } catch {
      await fs.rm(partial, { force: true });
    }
  }
}
