import { spawn } from 'node:child_process';
import { processCpuSeconds } from './proc_cpu.js';

/**
 * The reference: N bare `ffmpeg -re -stream_loop -1 -i clip -c copy` processes writing
 * Matroska, CPU measured over the same window length as the module's recording.
 */
export async function bareCopyCpuSeconds(ffmpeg: string, clip: string, outputs: string[], windowSeconds: number): Promise<number> {
  const children = outputs.map((out) => {
    const child = spawn(ffmpeg, ['-nostats', '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip,
      '-map', '0:v', '-c', 'copy', '-f', 'matroska', '-y', out], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.on('error', () => undefined);
    child.stdin.on('error', () => undefined);
    return child;
  });
  await sleep(1000);
  const sample = (): number => children.reduce((sum, c) => sum + (c.pid ? processCpuSeconds(c.pid) : 0), 0);
  const start = sample();
  await sleep(windowSeconds * 1000);
  const end = sample();
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('close', () => resolve());
    c.stdin.end('q');
    setTimeout(() => c.kill('SIGKILL'), 3000).unref();
  })));
  return end - start;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
