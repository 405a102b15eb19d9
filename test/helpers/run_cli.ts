import { spawn } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';

export interface CliRun { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** Runs the built `cameras-usb2` as a user would (stdin closed) and collects what it printed. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), ...args], {
      cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
