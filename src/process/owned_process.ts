import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { ProcessSpawner } from './spawner.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES...). */
  spawnError: Error | null;
  /** The last lines ffmpeg (or whatever it was) wrote on stderr. */
  stderrTail: string;
}

export interface StopOptions {
  /** Write this to stdin first and wait (ffmpeg: 'q' finalizes its outputs). */
  stdinQuit?: string;
  gracefulMs?: number;
  termMs?: number;
}

const STDERR_TAIL_BYTES = 4096;
const PIPE_DRAIN_MS = 500;

/**
 * One child process with an owner: it always has an 'error' listener, keeps the tail of
 * its stderr for error messages, and stops in escalating steps (stdin quit, SIGTERM,
 * SIGKILL) checking exitCode and signalCode so an already-dead child is not waited on.
 */
export class OwnedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  private stderrTail = '';
  private spawnError: Error | null = null;

  constructor(spawner: ProcessSpawner, readonly command: string, readonly args: readonly string[], options: SpawnOptions) {
    this.child = spawner.spawn(command, args, options);
    this.exited = new Promise<ProcessExit>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null): void =>
        resolve({ code, signal, spawnError: this.spawnError, stderrTail: this.stderrTail });
      this.child.once('close', finish);
      // 'close' waits for the pipes, which a grandchild the process left behind may hold open:
      // once the process itself is gone, give its output a moment to drain, then let go.
      this.child.once('exit', (code, signal) => {
        setTimeout(() => {
          for (const stream of this.child.stdio ?? []) stream?.destroy();
          finish(code, signal);
        }, PIPE_DRAIN_MS).unref();
      });
      this.child.on('error', (err) => {
        this.spawnError = err;
        // A child that never started emits no 'close' on some Node versions.
        if (this.child.pid === undefined) finish(null, null);
      });
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    // EPIPE on a stdin the child already closed must not become an uncaught error.
    this.child.stdin?.on('error', () => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  async stop(options: StopOptions = {}): Promise<ProcessExit> {
    const { stdinQuit, gracefulMs = 2000, termMs = 2000 } = options;
    if (this.running && stdinQuit !== undefined && this.child.stdin?.writable) {
      this.child.stdin.write(stdinQuit);
      this.child.stdin.end();
      if (await this.exitsWithin(gracefulMs)) return this.exited;
    }
    if (this.running) {
      this.child.kill('SIGTERM');
      if (await this.exitsWithin(termMs)) return this.exited;
    }
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  private async exitsWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const done = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }
}

/** Every child a module instance started, so shutdown can stop whatever is left. */
export class ProcessRegistry {
  private readonly live = new Set<OwnedProcess>();

  constructor(private readonly spawner: ProcessSpawner) {}

  start(command: string, args: readonly string[], options: SpawnOptions): OwnedProcess {
    const proc = new OwnedProcess(this.spawner, command, args, options);
    this.live.add(proc);
    void proc.exited.then(() => this.live.delete(proc));
    return proc;
  }

  get size(): number {
    return this.live.size;
  }

  async stopAll(options?: StopOptions): Promise<void> {
    await Promise.all([...this.live].map((proc) => proc.stop(options)));
  }
}
