import { closeSync, constants, fstatSync, openSync, readSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
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

/** Larger than any key file this module writes (an encrypted PEM is ~400 bytes): anything bigger is the wrong file. */
export const MAX_KEY_FILE_BYTES = 8 * 1024;

// Not on Windows; there the checks they serve do not apply either.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/**
 * Reads a secret file, refusing one that group or others may read: a key that leaked to
 * other accounts protects nothing. Also every check of readPublicFile. (Windows has no
 * such mode bits; the mode and owner checks are POSIX-only.)
 */
export function readSecretFile(path: string, field: string, what: string): string {
  return readKeyFile(path, field, what, true);
}

/**
 * Reads a key file that need not be secret (a recipient's .pub) with the checks that keep
 * someone else from choosing the key: a regular file (a FIFO would hang the start), not a
 * symlink, owned by this user or root, in a folder others cannot write to, and small.
 */
export function readPublicFile(path: string, field: string, what: string): string {
  return readKeyFile(path, field, what, false);
}

function readKeyFile(path: string, field: string, what: string, secret: boolean): string {
  const refuse = (reason: string, data?: Record<string, unknown>) =>
    new ModuleError('INVALID_PARAMS', `${what} ${path} ${reason}`, { field, ...(data ? { data } : {}) });
  checkFolder(dirname(resolve(path)), refuse);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; fstat then refuses it.
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw refuse('is a symbolic link; name the key file itself');
    throw new ModuleError('INVALID_PARAMS', `cannot read ${what} ${path}: ${describe(err)}`, { field, cause: err });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw refuse(`is not a regular file (${kindOf(stats)})`);
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
      throw refuse(`belongs to another user (uid ${stats.uid}); a key file must belong to you or root`, { path, owner: stats.uid });
    }
    if (secret && process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
      throw refuse(`is readable by group or others (mode ${mode}); run: chmod 600 ${path}`, { path, mode });
    }
    if (stats.size > MAX_KEY_FILE_BYTES) throw refuse(`is ${stats.size} bytes; a key file has at most ${MAX_KEY_FILE_BYTES}: is it the right file?`);
    return readAtMost(fd, MAX_KEY_FILE_BYTES, () => refuse(`grew beyond ${MAX_KEY_FILE_BYTES} bytes while being read`));
  } finally {
    closeSync(fd);
  }
}

const STICKY_BIT = 0o1000;

/** A folder anyone may write to without the sticky bit lets anyone swap the key inside it. */
function checkFolder(folder: string, refuse: (reason: string) => ModuleError): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(folder).mode;
  } catch {
    return; // opening the file reports a missing folder with the usual words
  }
  if ((mode & 0o002) !== 0 && (mode & STICKY_BIT) === 0) {
    throw refuse(`lies in ${folder}, which any user may write to (mode ${(mode & 0o7777).toString(8)}, no sticky bit), so anyone could replace it; move it to a folder of your own`);
  }
}

/** Reads from fd until its end, but never more than `limit` bytes (the file may grow after fstat). */
function readAtMost(fd: number, limit: number, tooLarge: () => ModuleError): string {
  const buffer = Buffer.alloc(limit + 1);
  let filled = 0;
  for (;;) {
    const n = readSync(fd, buffer, filled, buffer.length - filled, null);
    if (n === 0) break;
    filled += n;
    if (filled > limit) throw tooLarge();
  }
  return buffer.subarray(0, filled).toString('utf8');
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a plain file';
}

function describe(err: unknown): string {
  const code = errnoCode(err);
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
