import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTool } from './run_tool.js';

/** A tmpfs of a few MB (or less: 0.5 is 512 KB), so a test can fill a real disk; `skipped` (with why) where it cannot be made. */
export interface SmallVolume {
  readonly dir: string;
  /** Takes space so that `usedPercent` of the volume is in use (or `leaveBytes` stay free). */
  fill(target: { usedPercent: number } | { leaveBytes: number }): Promise<void>;
  /** Frees what fill() took. */
  free(): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountSmallVolume(sizeMb: number): Promise<SmallVolume | { skipped: string }> {
  if (process.platform !== 'linux') return { skipped: 'not Linux' };
  const dir = await mkdtemp(path.join(tmpdir(), 'cams-volume-'));
  const result = await runTool('mount', ['-t', 'tmpfs', '-o', `size=${Math.round(sizeMb * 1024)}k`, 'tmpfs', dir])
    .catch((err: unknown) => ({ code: -1, stderr: String(err) }));
  if (result.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    return { skipped: `cannot mount a tmpfs here (${result.stderr.trim() || `exit ${result.code}`})` };
  }
  const filler = path.join(dir, 'filler.bin');
  return {
    dir,
    fill: async (target) => {
      const stats = await statfs(dir);
      const total = stats.blocks * stats.bsize;
      const available = stats.bavail * stats.bsize;
      const leave = 'leaveBytes' in target ? target.leaveBytes : total * (1 - target.usedPercent / 100);
      await writeFile(filler, Buffer.alloc(Math.max(0, Math.floor(available - leave))));
    },
    free: () => rm(filler, { force: true }),
    unmount: async () => {
      const umount = await runTool('umount', [dir]);
      if (umount.code !== 0) throw new Error(`umount ${dir} failed: ${umount.stderr}`);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
