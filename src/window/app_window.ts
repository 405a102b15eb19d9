import type { Logger } from '../logging/logger.js';
import type { OwnedProcess, ProcessExit, ProcessRegistry } from '../process/owned_process.js';
import { appWindowArgs } from './browser_args.js';
import type { WindowGeometry } from './geometry.js';

export interface AppWindowLaunch {
  readonly browser: string;
  readonly url: string;
  readonly geometry: WindowGeometry;
  readonly profileDir: string;
}

/** How long the browser gets to close its window and its helpers before it is killed. */
const CLOSE_MS = 3000;

/**
 * One browser process showing one window. The browser runs in a process group of its own
 * (its zygote, renderer and GPU helpers with it), so closing ends the whole group and
 * nothing is left behind. `exited` fires only for an exit nobody asked for.
 */
export class AppWindow {
  private process: OwnedProcess | null = null;
  private closing = false;

  constructor(
    private readonly registry: ProcessRegistry,
    private readonly logger: Logger,
    private readonly onUnaskedExit: (exit: ProcessExit) => void,
    /** Signals a whole process group (tests replace it: their fake children have no real group). */
    private readonly signalGroup: GroupSignaller = killGroup,
  ) {}

  get open(): boolean {
    return this.process?.running === true;
  }

  start(launch: AppWindowLaunch): void {
    const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const args = appWindowArgs(launch.url, launch.geometry, launch.profileDir, runningAsRoot);
    this.closing = false;
    const proc = this.registry.start(launch.browser, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.process = proc;
    void proc.exited.then((exit) => {
      this.signalGroup(proc.pid, 'SIGKILL');
      if (this.process !== proc) return;
      this.process = null;
      if (this.closing) return;
      this.logger.warn('window: the browser exited on its own', { code: exit.code, signal: exit.signal, error: exit.spawnError?.message ?? null });
      this.onUnaskedExit(exit);
    });
  }

  async close(): Promise<void> {
    const proc = this.process;
    if (!proc) return;
    this.closing = true;
    // The whole group: the browser's helpers hold the window's X connection too.
    this.signalGroup(proc.pid, 'SIGTERM');
    await proc.stop({ termMs: CLOSE_MS });
    this.signalGroup(proc.pid, 'SIGKILL');
    if (this.process === proc) this.process = null;
  }
}

export type GroupSignaller = (pid: number | undefined, signal: NodeJS.Signals) => void;

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already, which is what we want.
  }
}
