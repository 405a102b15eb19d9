import { spawn } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';

export interface CliRun { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** Runs the built `cameras-usb2` as a user would (stdin closed, or `input` on it) and collects what it printed. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), ...args], {
      cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    child.stdin?.on('error', () => undefined); // a child that exits before reading all input
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServeRun extends CliRun {
  /** stdout's status lines, parsed. */
  readonly lines: Array<Record<string, unknown>>;
}

/** `cameras-usb2 serve --stdio` with these lines on stdin, as a host would. */
export async function runServe(input: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeRun> {
  const run = await runCli(['serve', '--stdio', ...args], { input, env });
  return { ...run, lines: run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}
