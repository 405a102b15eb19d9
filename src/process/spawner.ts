import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Starts child processes; a DI token so tests can hand out fakes. */
export interface ProcessSpawner {
  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess;
}

export class NodeProcessSpawner implements ProcessSpawner {
  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    return spawn(command, args, options);
  }
}
