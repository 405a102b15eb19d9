import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ProcessSpawner } from '../../src/process/spawner.js';

/** What a fake command does: print and exit, or fail to start. */
export type FakeBehaviour =
  | { readonly stdout?: string; readonly stderr?: string; readonly code?: number }
  | { readonly spawnError: string }
  /** Keeps running until it is killed (a browser, a server). */
  | { readonly running: true };

export interface SpawnCall {
  readonly command: string;
  readonly args: readonly string[];
}

/** A spawner whose children follow a script chosen by command and arguments; records every call. */
export class FakeSpawner implements ProcessSpawner {
  readonly calls: SpawnCall[] = [];
  /** Every child handed out, in order (kill() one to play a process that died on its own). */
  readonly children: ChildProcess[] = [];

  constructor(private readonly script: (command: string, args: readonly string[]) => FakeBehaviour) {}

  spawn(command: string, args: readonly string[], _options: SpawnOptions): ChildProcess {
    this.calls.push({ command, args });
    const child = new FakeChild(this.script(command, args)) as unknown as ChildProcess;
    this.children.push(child);
    return child;
  }

  commands(): string[] {
    return [...new Set(this.calls.map((call) => call.command))];
  }
}

class FakeChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin = null;
  /** As on a real ChildProcess: OwnedProcess destroys these once the process has exited. */
  readonly stdio = [this.stdin, this.stdout, this.stderr];
  pid: number | undefined = 4242;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;

  constructor(behaviour: FakeBehaviour) {
    super();
    setImmediate(() => this.run(behaviour));
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.finish(null, signal);
    return true;
  }

  private run(behaviour: FakeBehaviour): void {
    if ('spawnError' in behaviour) {
      this.pid = undefined;
      this.emit('error', Object.assign(new Error(`spawn ${behaviour.spawnError}`), { code: behaviour.spawnError }));
      return;
    }
    if ('running' in behaviour) return;
    if (behaviour.stdout) this.stdout.write(behaviour.stdout);
    if (behaviour.stderr) this.stderr.write(behaviour.stderr);
    this.finish(behaviour.code ?? 0, null);
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    this.exitCode = code;
    this.signalCode = signal;
    this.stdout.end();
    this.stderr.end();
    setImmediate(() => {
      this.emit('exit', code, signal);
      this.emit('close', code, signal);
    });
  }
}
