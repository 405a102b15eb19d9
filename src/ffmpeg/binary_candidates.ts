import { launcherFor, type ProcessLauncher } from '../process/run_command.js';
import { NodeProcessSpawner, type ProcessSpawner } from '../process/spawner.js';
import { findOnPath, isExecutableFile, pathDirectories, type IsExecutable } from './executable_search.js';
import { importModule, type ModuleImporter } from './package_binaries.js';

/** What the locators read from the outside world; every field can be replaced in tests. */
export interface BinarySearchOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Defaults to env.PATH (env.Path on Windows). */
  readonly searchPath?: string;
  readonly platform?: NodeJS.Platform;
  readonly isExecutable?: IsExecutable;
  readonly spawner?: ProcessSpawner;
  readonly importModule?: ModuleImporter;
  /** Per `-version` style call. */
  readonly timeoutMs?: number;
}

export interface BinarySearchContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly searchPath: string | undefined;
  readonly platform: NodeJS.Platform;
  readonly isExecutable: IsExecutable;
  readonly launcher: ProcessLauncher;
  readonly importModule: ModuleImporter;
  readonly timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 5000;

export function searchContext(options: BinarySearchOptions): BinarySearchContext {
  const env = options.env ?? process.env;
  return {
    env,
    searchPath: options.searchPath ?? env.PATH ?? env.Path,
    platform: options.platform ?? process.platform,
    isExecutable: options.isExecutable ?? isExecutableFile,
    launcher: launcherFor(options.spawner ?? new NodeProcessSpawner()),
    importModule: options.importModule ?? importModule,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

/** One step of a resolution order: where it looks, and the path it yields (null = not set). */
export interface Candidate<S extends string> {
  readonly source: S;
  readonly label: string;
  /** The path to try, or null when this step has nothing configured; throws with the reason it has no path. */
  resolve(): Promise<string | null>;
}

export interface Attempt {
  readonly label: string;
  readonly path: string | null;
  readonly problem: string;
}

export type Inspection<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly problem: string };

export interface Found<S extends string, R> {
  readonly source: S;
  readonly path: string;
  readonly value: R;
}

/** Walks the candidates in order; the first whose binary passes inspect wins. */
export async function firstWorking<S extends string, R>(
  candidates: readonly Candidate<S>[],
  context: BinarySearchContext,
  inspect: (binary: string) => Promise<Inspection<R>>,
): Promise<{ found: Found<S, R> | null; attempts: Attempt[] }> {
  const attempts: Attempt[] = [];
  for (const candidate of candidates) {
    let binary: string | null;
    try {
      binary = await candidate.resolve();
    } catch (err) {
      attempts.push({ label: candidate.label, path: null, problem: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (binary === null) {
      attempts.push({ label: candidate.label, path: null, problem: 'not set' });
      continue;
    }
    if (!(await context.isExecutable(binary))) {
      attempts.push({ label: candidate.label, path: binary, problem: 'does not exist or is not executable' });
      continue;
    }
    const inspection = await inspect(binary);
    if (inspection.ok) return { found: { source: candidate.source, path: binary, value: inspection.value }, attempts };
    attempts.push({ label: candidate.label, path: binary, problem: inspection.problem });
  }
  return { found: null, attempts };
}

export function describeAttempts(attempts: readonly Attempt[]): string {
  return attempts
    .map((attempt, index) => `${index + 1}. ${attempt.label}${attempt.path ? ` (${attempt.path})` : ''}: ${attempt.problem}`)
    .join('; ');
}

/** The candidate "program on PATH", failing with the directories it looked in. */
export function onPathCandidate<S extends string>(source: S, program: string, context: BinarySearchContext): Candidate<S> {
  return {
    source,
    label: 'PATH',
    resolve: async () => {
      const found = await findOnPath(program, context.searchPath, context.platform, context.isExecutable);
      if (found) return found;
      const dirs = pathDirectories(context.searchPath, context.platform);
      throw new Error(dirs.length === 0 ? 'PATH is empty' : `no ${program} in ${dirs.join(context.platform === 'win32' ? ';' : ':')}`);
    },
  };
}

export function envCandidate<S extends string>(source: S, variable: string, context: BinarySearchContext): Candidate<S> {
  return {
    source,
    label: `environment variable ${variable}`,
    resolve: async () => {
      const value = context.env[variable];
      return value && value.trim().length > 0 ? value : null;
    },
  };
}
