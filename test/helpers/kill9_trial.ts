import { fileURLToPath } from 'node:url';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import type { TrialPaths } from '../../src/storage/types.js';

const childScript = fileURLToPath(new URL('./kill9_recorder.js', import.meta.url));

/** A real crashed trial: the recorder child records into `outputDir` for `recordMs`, then gets SIGKILL. */
export async function recordThenKill9(outputDir: string, recordMs: number, options: { codec?: 'mjpeg' | 'h264'; keyFile?: string } = {}): Promise<TrialPaths> {
  const registry = new ProcessRegistry(new NodeProcessSpawner());
  const args = [childScript, outputDir, options.codec ?? 'mjpeg', ...(options.keyFile ? [options.keyFile] : [])];
  const proc = registry.start(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const paths = await new Promise<TrialPaths>((resolve, reject) => {
    let out = '';
    proc.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)) as TrialPaths);
    });
    void proc.exited.then((exit) => reject(new Error(`recorder exited early (${exit.code}): ${exit.stderrTail}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, recordMs));
  proc.child.kill('SIGKILL');
  const exit = await proc.exited;
  if (exit.signal !== 'SIGKILL') throw new Error(`recorder ended with ${exit.code ?? exit.signal} instead of SIGKILL`);
  return paths;
}
