import { readFileSync } from 'node:fs';
import { childPids } from '../../bench/proc_cpu.js';

/** The pid of this process's one ffmpeg child whose command line contains marker (its capture source). */
export function captureChildPid(marker: string): number {
  const matching = childPids(process.pid).filter((pid) => {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return commandLine.some((arg) => arg.includes(marker)) && commandLine.includes('tee');
  });
  if (matching.length !== 1) throw new Error(`expected one capture child with "${marker}", found ${matching.length}`);
  return matching[0] as number;
}
