import type { StatusCallback, StatusMessage, StatusName, StatusPayloads } from './statuses.js';
import type { Logger } from '../host/logger.js';

/**
 * Sends statuses to the host. While a command is being handled, every status carries that
 * command's id, so the host can match device_ready or error to its assign attempt.
 */
export class StatusReporter {
  private commandId: string | undefined;

  constructor(private readonly callback: StatusCallback, private readonly logger: Logger) {}

  report<K extends StatusName>(status: K, data: StatusPayloads[K]): void {
    const message = {
      status,
      data,
      timestamp: new Date().toISOString(),
      ...(this.commandId === undefined ? {} : { command_id: this.commandId }),
    } as StatusMessage;
    try {
      this.callback(message);
    } catch (err) {
      this.logger.error('status callback threw', { status, error: String(err) });
    }
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
