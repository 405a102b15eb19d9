import { toModuleError } from '../errors/codes.js';
import type { StatusMessage } from '../events/statuses.js';
import { ENVIRONMENT_OVERRIDES } from '../config/environment.js';
import { ENCRYPTION_KEY_FILE_VARIABLE } from '../crypto/encryption_config.js';

const ENVIRONMENT_VARIABLES = new Set([...ENVIRONMENT_OVERRIDES.map((o) => o.variable), ENCRYPTION_KEY_FILE_VARIABLE]);

/** Exit code when the module refuses to start (bad --config-path, invalid configuration). */
export const STARTUP_FAILED_EXIT_CODE = 2;

/**
 * The one status sent when start-up is refused: an unrecoverable `error` (no `ready` was
 * or will be sent). A configuration that does not validate is blamed on --config-path when
 * one was given, so the message names the file to fix; a key file given as --key-file is
 * blamed on that flag.
 */
export function startupFailure(err: unknown, configPath: string | undefined, keyFile?: string): StatusMessage {
  const error = toModuleError(err);
  const fromFlag = keyFile !== undefined && error.field === 'encryption.key_file';
  const fromFile = !fromFlag && configPath !== undefined && error.kind === 'INVALID_PARAMS' && error.field !== null &&
    error.field !== 'config_path' && !ENVIRONMENT_VARIABLES.has(error.field);
  const named = fromFlag ? `--key-file ${keyFile}: ${error.message}` : fromFile ? `--config-path ${configPath}: ${error.message}` : error.message;
  return {
    status: 'error',
    timestamp: new Date().toISOString(),
    data: { command: null, error: named, code: error.code, recoverable: false, field: error.field, session_id: null },
  };
}
