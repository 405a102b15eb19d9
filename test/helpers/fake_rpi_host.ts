import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import readline from 'node:readline';

export interface HostLine {
  readonly type: string;
  readonly status: string;
  readonly data: Record<string, unknown>;
  readonly command_id?: string;
  /** ms since the process was started, when the line arrived. */
  readonly at: number;
}

/**
 * Plays the RPi_Logger host: starts the module as a child process with the host's argv,
 * writes one JSON command per line, reads statuses with a streaming line reader.
 */
export class FakeRpiHost {
  readonly lines: HostLine[] = [];
  readonly rawStdout: string[] = [];
  stderr = '';
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly started = Date.now();
  private readonly waiters = new Set<() => void>();

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.on('error', (err) => { this.stderr += `spawn error: ${err.message}`; });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.rawStdout.push(line);
      const parsed = JSON.parse(line) as Omit<HostLine, 'at'>;
      if (parsed.type === 'status') this.lines.push({ ...parsed, at: Date.now() - this.started });
      for (const wake of this.waiters) wake();
    });
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  /** Host → module, exactly as the host writes it: keys at top level, a local ISO timestamp. */
  send(command: string, params: Record<string, unknown> = {}): void {
    this.sendRaw(`${JSON.stringify({ command, timestamp: new Date().toISOString(), ...params })}\n`);
  }

  sendRaw(text: string): void {
    this.child.stdin.write(text);
  }

  /** The first status named `status` (matching `where`) after index `from`. */
  waitFor(status: string, timeoutMs: number, where: (line: HostLine) => boolean = () => true, from = 0): Promise<HostLine> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.lines.slice(from).find((l) => l.status === status && where(l));
        if (!found) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => { check(); };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no ${status} within ${timeoutMs} ms; got ${this.lines.map((l) => l.status).join(', ')}; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.add(wake);
      check();
    });
  }

  statuses(): string[] {
    return this.lines.map((l) => l.status);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}
