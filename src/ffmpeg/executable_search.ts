import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../errors/errno.js';

export type IsExecutable = (file: string) => Promise<boolean>;

/** True for a regular file this process may execute. */
export const isExecutableFile: IsExecutable = async (file) => {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch (err) {
    if (isFsMiss(err)) return false;
    throw err;
  }
};

function isFsMiss(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EPERM';
}

export function executableName(program: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${program}.exe` : program;
}

export function pathDirectories(searchPath: string | undefined, platform: NodeJS.Platform): string[] {
  if (!searchPath) return [];
  const delimiter = platform === 'win32' ? ';' : ':';
  return searchPath.split(delimiter).filter((dir) => dir.length > 0);
}

/** Like a shell's lookup, without a shell: the first directory of PATH holding the program. */
export async function findOnPath(
  program: string,
  searchPath: string | undefined,
  platform: NodeJS.Platform,
  isExecutable: IsExecutable,
): Promise<string | null> {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  const name = executableName(program, platform);
  for (const dir of pathDirectories(searchPath, platform)) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}
