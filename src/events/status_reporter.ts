import type { ModuleBus } from './module_bus.js';
import type { StatusMessage, StatusName, StatusPayloads } from './statuses.js';

/**
 * Puts statuses on the module bus. While a command is being handled, every status carries
 * that command's id, so the host can match device_ready or error to its assign attempt.
 */
export class StatusReporter {
  private commandId: string | undefined;

  constructor(private readonly bus: ModuleBus) {}

  report<K extends StatusName>(status: K, data: StatusPayloads[K]): void {
    const message = {
      status,
      data,
      timestamp: new Date().toISOString(),
      ...(this.commandId === undefined ? {} : { command_id: this.commandId }),
    } as StatusMessage;
    this.bus.emit('status', message);
  }

  /** Runs fn with statuses tagged by commandId. Commands run one at a time, so one slot is enough. */
  async within<T>(commandId: string | undefined, fn: () => Promise<T>): Promise<T> {
    this.commandId = commandId;
    try {
      return await fn();
    } finally {
      this.commandId = undefined;
    }
  }
}
