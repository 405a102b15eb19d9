import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../errors/errno.js';

export interface NodeLinks {
  readonly byId: string[];
  readonly byPath: string[];
}

/**
 * The udev links under <devRoot>/v4l/by-id and by-path, keyed by the node they point to
 * ("video0"). Links are reported with their /dev path as a user would type it.
 */
export async function readV4lLinks(devRoot: string): Promise<Map<string, NodeLinks>> {
  const links = new Map<string, NodeLinks>();
  const linksOf = (node: string): NodeLinks => {
    let entry = links.get(node);
    if (!entry) {
      entry = { byId: [], byPath: [] };
      links.set(node, entry);
    }
    return entry;
  };
  for (const [kind, dirName] of [['byId', 'by-id'], ['byPath', 'by-path']] as const) {
    const dir = path.join(devRoot, 'v4l', dirName);
    for (const name of await listDir(dir)) {
      const target = await readlink(path.join(dir, name));
      linksOf(path.basename(target))[kind].push(path.posix.join('/dev/v4l', dirName, name));
    }
  }
  return links;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    const code = errnoCode(err);
    // No camera has ever been plugged in, or udev does not run (containers): no links.
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}
