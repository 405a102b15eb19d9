import { stat } from 'node:fs/promises';
import { errnoCode } from '../errors/errno.js';

/** A file's size in bytes; a file deleted since (retention, a researcher cleaning up) counts 0. */
export async function sizeOrZero(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 0;
    throw err;
  }
}
