import { ModuleError, type ErrorName } from './codes.js';
import { errnoCode } from './errno.js';

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

export function isDiskFull(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== undefined && DISK_FULL_CODES.has(code);
}

/**
 * A file-system failure as the ModuleError the host sees; a full disk says so in plain
 * words because it is the one failure a researcher can fix on the spot.
 */
export function storageWriteError(err: unknown, path: string, action: string, kind: ErrorName = 'ENCODER_FAILED'): ModuleError {
  if (err instanceof ModuleError) return err;
  const code = errnoCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const message = isDiskFull(err)
    ? `Disk full: no space left while ${action} ${path}`
    : `Failed ${action} ${path}: ${detail}`;
  return new ModuleError(kind, message, { cause: err, data: { path, errno: code ?? null, diskFull: isDiskFull(err) } });
}
