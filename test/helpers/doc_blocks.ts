import fs from 'node:fs';
import path from 'node:path';

/**
 * Shell blocks of the documentation that a test runs. A fenced block whose info string is
 * `sh runnable` runs as written; `sh server` is the long-running command the others talk to.
 * An HTML comment `<!-- docs-test expect: TEXT -->` right above a block names text its
 * stdout must contain (one comment per text).
 */
export type DocBlockKind = 'runnable' | 'server';

export interface DocBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly kind: DocBlockKind;
  readonly code: string;
  readonly expect: readonly string[];
}

const FENCE_OPEN = /^```sh (runnable|server)\s*$/;
const EXPECT = /^<!-- docs-test expect: (.+) -->$/;

export function docBlocks(markdown: string, file: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  let inOtherFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const open = FENCE_OPEN.exec(line);
    if (!open && line.startsWith('```')) { inOtherFence = !inOtherFence; continue; }
    if (!open || inOtherFence) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`${file}:${i + 1}: the ${open[1]} block is never closed`);
    const expect: string[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const m = EXPECT.exec(lines[j] ?? '');
      if (!m?.[1]) break;
      expect.unshift(m[1]);
    }
    blocks.push({ file, line: i + 1, kind: open[1] as DocBlockKind, code: lines.slice(i + 1, end).join('\n'), expect });
    i = end;
  }
  return blocks;
}

/** README.md first, then docs/*.md in name order: the order a reader meets them. */
export function documentationFiles(root: string): string[] {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((n) => n.endsWith('.md')).sort();
  return [path.join(root, 'README.md'), ...docs.map((n) => path.join(root, 'docs', n))];
}

/** The documented port; a test serving elsewhere rewrites it. */
export const DOCUMENTED_ADDRESS = '127.0.0.1:8765';

export function withAddress(code: string, address: string): string {
  return code.split(DOCUMENTED_ADDRESS).join(address);
}
