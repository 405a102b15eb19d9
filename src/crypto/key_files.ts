import { closeSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ModuleError } from '../errors/codes.js';
import { errnoCode } from '../errors/errno.js';

/** Mode bits of a secret file: owner read/write only. */
export const SECRET_FILE_MODE = 0o600;

/**
 * Writes a new file exclusively ('wx': an existing key is never replaced, which would make
 * every recording made with it unreadable) with the given mode.
 */
export function writeNewFile(path: string, content: string, mode: number, what: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', mode);
  } catch (err) {
    const reason = errnoCode(err) === 'EEXIST' ? 'it already exists (a key file is never overwritten)' : describe(err);
    throw new ModuleError('INVALID_PARAMS', `cannot create ${what} ${path}: ${reason}`, { field: 'out', cause: err });
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a secret file, refusing one that group or others may read: a key that leaked to
 * other accounts protects nothing. (Windows has no such mode bits; the check is POSIX-only.)
 */
export function readSecretFile(path: string, field: string, what: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ModuleError('INVALID_PARAMS', `cannot read ${what} ${path}: ${describe(err)}`, { field, cause: err });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ModuleError('INVALID_PARAMS', `${what} ${path} is not a regular file`, { field });
    if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
      throw new ModuleError('INVALID_PARAMS', `${what} ${path} is readable by group or others (mode ${mode}); run: chmod 600 ${path}`, {
        field, data: { path, mode },
      });
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export function readPublicFile(path: string, field: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModuleError('INVALID_PARAMS', `cannot read ${what} ${path}: ${describe(err)}`, { field, cause: err });
  }
}

function describe(err: unknown): string {
  const code = errnoCode(err);
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
