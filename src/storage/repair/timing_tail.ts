import { open } from 'node:fs/promises';

const TAIL_BYTES = 4096;

/**
 * Cuts an unfinished last row (no newline: the write was interrupted) off a timing CSV, so
 * the file parses and every row left is whole. Returns the bytes removed (0: nothing to do).
 */
export async function dropUnfinishedLastRow(file: string): Promise<number> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    if (size === 0) return 0;
    const start = Math.max(0, size - TAIL_BYTES);
    const tail = Buffer.alloc(size - start);
    await handle.read(tail, 0, tail.length, start);
    if (tail[tail.length - 1] === 0x0a) return 0;
    const lastNewline = tail.lastIndexOf(0x0a);
    // No newline in the last 4 KiB: a row is ~150 bytes, so this is not a timing CSV tail; leave it.
    if (lastNewline === -1) return 0;
    const keep = start + lastNewline + 1;
    await handle.truncate(keep);
    return size - keep;
  } finally {
    await handle.close();
  }
}
