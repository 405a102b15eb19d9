import type { SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OwnedProcess, type ProcessRegistry } from './owned_process.js';
import type { ProcessSpawner } from './spawner.js';

/** Anything that starts owned processes: a ProcessRegistry, or a bare spawner wrapped by launcherFor. */
export type ProcessLauncher = Pick<ProcessRegistry, 'start'>;

export function launcherFor(spawner: ProcessSpawner): ProcessLauncher {
  return { start: (command, args, options: SpawnOptions) => new OwnedProcess(spawner, command, args, options) };
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly spawnError: Error | null;
  readonly timedOut: boolean;
  /** Why feeding `input` failed (the source's own error, or the child closing its stdin early); null when it did not. */
  readonly inputError?: Error | null;
}

export interface RunCommandOptions {
  readonly timeoutMs: number;
  /** Output beyond this is dropped (keeps a runaway child from filling memory). */
  readonly maxOutputBytes?: number;
  /** Streamed into the command's stdin (otherwise stdin is closed). */
  readonly input?: Readable;
}

const DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;

/** Runs a short-lived command to completion and collects its output; kills it after timeoutMs. */
export async function runCommand(
  launcher: ProcessLauncher,
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const proc = launcher.start(command, args, { stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'], windowsHide: true });
  const fed = options.input && proc.child.stdin
    ? pipeline(options.input, proc.child.stdin).then(() => null, (err: unknown) => (err instanceof Error ? err : new Error(String(err))))
    : Promise.resolve(null);
  const stdout = collect(proc.child.stdout, maxBytes);
  const stderr = collect(proc.child.stderr, maxBytes);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.stop({ termMs: 1000 });
  }, options.timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  const inputError = await fed;
  return {
    stdout: stdout.text(),
    stderr: stderr.text(),
    code: exit.code,
    signal: exit.signal,
    spawnError: exit.spawnError,
    timedOut,
    inputError,
  };
}

function collect(stream: NodeJS.ReadableStream | null, maxBytes: number): { text(): string } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (bytes >= maxBytes) return;
    chunks.push(chunk);
    bytes += chunk.length;
  });
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}

/** One line saying why a command did not succeed, for error messages. */
export function describeFailure(result: CommandResult, timeoutMs: number): string | null {
  if (result.spawnError) return result.spawnError.message;
  if (result.timedOut) return `no answer within ${timeoutMs} ms`;
  if (result.code === 0) return null;
  const how = result.code === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with code ${result.code}`;
  const tail = lastLine(result.stderr);
  return tail ? `${how}: ${tail}` : how;
}

/** The last non-blank line of a tool's output, trimmed ('' for none): what error messages quote. */
export function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1]?.trim() ?? '';
}
