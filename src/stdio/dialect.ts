import type { StatusMessage } from '../events/statuses.js';

/**
 * plain: statuses as the module emits them. rpi-logger: the RPi_Logger host marks a
 * module failed on any `error` status, so recoverable errors go out as `command_error`
 * (which it logs and ignores) and only unrecoverable ones as `error`; both carry the
 * `message` key that host displays.
 */
export type HostDialect = 'plain' | 'rpi-logger';

export const HOST_DIALECTS: readonly HostDialect[] = ['plain', 'rpi-logger'];

export function translateStatus(message: StatusMessage, dialect: HostDialect): StatusMessage {
  if (dialect === 'plain' || message.status !== 'error') return message;
  const data = { ...message.data, message: message.data.error };
  if (!message.data.recoverable) return { ...message, data };
  return { ...message, status: 'command_error', data: { ...data, recoverable: true } };
}
