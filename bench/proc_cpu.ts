import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of one process in seconds, from /proc/<pid>/stat (0 when it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The pids whose parent is `parent` (the module's ffmpeg children). */
export function childPids(parent: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
    } catch {
      return false;
    }
  });
}

/** CPU seconds of node itself plus its live children, sampled together. */
export function moduleCpuSample(): { node: number; children: number } {
  const usage = process.cpuUsage();
  const children = childPids(process.pid).reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  return { node: (usage.user + usage.system) / 1e6, children };
}
