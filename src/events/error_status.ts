import type { ModuleError } from '../errors/codes.js';
import type { StatusPayloads } from './statuses.js';

/** Reports an error status for a command (null: an event of the module's own). */
export type ErrorReporter = (command: string | null, error: ModuleError) => void;

/** The `error` status for a ModuleError: its stable code, message, field and data. */
export function errorPayload(command: string | null, error: ModuleError, sessionId: string | null): StatusPayloads['error'] {
  return {
    command,
    error: error.message,
    code: error.code,
    recoverable: error.recoverable,
    field: error.field,
    session_id: sessionId,
    ...(error.data ? { data: error.data } : {}),
  };
}
