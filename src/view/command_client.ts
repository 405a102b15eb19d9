import { randomUUID } from 'node:crypto';
import type { ErrorStatus } from '../generated/schema-types.js';
import type { ModuleBus } from '../events/module_bus.js';
import type { StatusMessage } from '../events/statuses.js';
import type { CommandOutcome } from './view_source.js';

/** The runtime's entry for commands: queues one, resolves once it has been handled and answered. */
export interface CommandRunner {
  handle(command: unknown, payload: unknown): Promise<void>;
}

/**
 * Sends a command exactly as a host does (same queue, same validation, same state rules)
 * under a fresh command_id, and collects the statuses that carry that id. The runtime
 * resolves handle() only after the handler finished, so every answer is in by then.
 */
export async function sendCommand(runtime: CommandRunner, bus: ModuleBus, command: string, payload: Record<string, unknown> = {}): Promise<CommandOutcome> {
  const commandId = `view-${randomUUID()}`;
  const owner = `view-command:${commandId}`;
  const statuses: StatusMessage[] = [];
  bus.on('status', owner, (message) => {
    if (message.command_id === commandId) statuses.push(message);
  });
  try {
    await runtime.handle(command, { ...payload, command_id: commandId });
  } finally {
    bus.removeOwner(owner);
  }
  return { command_id: commandId, statuses, error: firstError(statuses) };
}

function firstError(statuses: readonly StatusMessage[]): ErrorStatus | null {
  for (const message of statuses) {
    if (message.status === 'error' || message.status === 'command_error') return message.data;
  }
  return null;
}
