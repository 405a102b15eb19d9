import fs from 'node:fs';
import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import type { ResolvedConfig } from '../config/config.js';

/** Where paths named by commands may lead: storage.base_path, storage.allowed_roots (and the host's --output-dir, added there). */
export interface PathRule {
  /** Relative paths are taken from here (storage.base_path), never from the working directory. */
  readonly base: string;
  readonly roots: readonly string[];
}

/** Characters that no path a command names may hold: they break file names, CSVs and line-based tools. */
const FORBIDDEN = /[\u0000-\u001f\u007f]/;

export function pathRule(config: ResolvedConfig): PathRule {
  const base = path.resolve(config.storage.base_path);
  return { base, roots: [base, ...config.storage.allowed_roots.map((root) => path.resolve(base, root))] };
}

/**
 * The real location a path would have: the longest part that exists, with every symlink
 * resolved, plus the part still to be created.
 */
function realLocation(absolute: string, links = 0): string {
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest);
    } catch {
      // A dangling symlink leads where its target would be created: follow it, not its parent.
      const target = danglingTarget(existing);
      if (target !== null && links < MAX_SYMLINKS) return realLocation(path.join(target, ...rest), links + 1);
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** As the kernel's limit on symlinks followed in one lookup: a loop ends refused, not spinning. */
const MAX_SYMLINKS = 40;

function danglingTarget(candidate: string): string | null {
  try {
    return fs.lstatSync(candidate).isSymbolicLink() ? path.resolve(path.dirname(candidate), fs.readlinkSync(candidate)) : null;
  } catch {
    return null;
  }
}

function realRoot(root: string): string {
  return realLocation(root);
}

const inside = (root: string, candidate: string): boolean => {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/**
 * The one rule for every path a command names (output_dir, session_dir, a snapshot's
 * path): relative paths are taken from storage.base_path, and the result — after every
 * symlink of its existing part is followed — must lie inside one of the allowed roots.
 * Anything else, and any control character, is INVALID_PARAMS (-1002) naming the field
 * and the roots (never where the path leads, which would tell whether outside paths exist). Returns the absolute path as requested (not the resolved one), so file
 * names in statuses stay what the host asked for.
 */
export function resolveAllowedPath(field: string, requested: string, rule: PathRule): string {
  if (FORBIDDEN.test(requested)) {
    throw new ModuleError('INVALID_PARAMS', `${field} must not contain control characters (NUL, newline, ...)`, { field });
  }
  const absolute = path.resolve(rule.base, requested);
  const real = realLocation(absolute);
  if (rule.roots.some((root) => inside(realRoot(root), real))) return absolute;
  // Neither the resolved location nor anything else that depends on what exists outside the
  // roots goes into the answer: the same words for a path that exists and one that does not.
  throw new ModuleError('INVALID_PARAMS', `${field} must lie inside ${rule.roots.join(' or ')} (storage.base_path, storage.allowed_roots); ${JSON.stringify(requested)} does not`, {
    field, data: { roots: [...rule.roots] },
  });
}
