import { ModuleError } from '../errors/codes.js';
import type { ResolvedConfig } from './config.js';
import { resolveConfig } from './resolve.js';

export type Environment = Readonly<Record<string, string | undefined>>;

interface EnvironmentOverride {
  readonly variable: string;
  readonly section: 'guard' | 'storage' | 'segments' | 'http';
  readonly field: string;
  readonly min: number;
  readonly max: number;
  /** Config fields the variable makes moot: the operator's variable decides, not a finer unit left in a file. */
  readonly clears?: readonly string[];
}

/** Seed 001's variables; each overrides one config field at start-up. */
export const ENVIRONMENT_OVERRIDES: readonly EnvironmentOverride[] = [
  { variable: 'STORAGE_WARN_PERCENT', section: 'guard', field: 'storage_warn_percent', min: 1, max: 100 },
  { variable: 'STORAGE_BLOCK_PERCENT', section: 'guard', field: 'storage_block_percent', min: 1, max: 100 },
  { variable: 'RECORDING_ROTATION_MINUTES', section: 'storage', field: 'rotation_minutes', min: 1, max: 1440, clears: ['rotation_seconds'] },
  { variable: 'SEGMENT_SECONDS', section: 'segments', field: 'segment_seconds', min: 1, max: 3600 },
  { variable: 'SEGMENT_RETAIN_MINUTES', section: 'segments', field: 'retain_minutes', min: 1, max: 10080 },
  { variable: 'HTTP_PORT', section: 'http', field: 'port', min: 0, max: 65535 },
];

type SectionPatch = Record<string, number | null>;

interface EnvironmentPatch {
  readonly sections: Partial<Record<EnvironmentOverride['section'], SectionPatch>>;
  /** Config path ('guard.storage_warn_percent') → the variable that set it. */
  readonly sources: ReadonlyMap<string, string>;
}

/** Parses the override variables that are set; a bad value is an INVALID_PARAMS naming the variable. */
export function readEnvironmentOverrides(env: Environment): EnvironmentPatch {
  const sections: Partial<Record<EnvironmentOverride['section'], SectionPatch>> = {};
  const sources = new Map<string, string>();
  for (const override of ENVIRONMENT_OVERRIDES) {
    const raw = env[override.variable]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= override.min && value <= override.max)) {
      throw new ModuleError('INVALID_PARAMS', `${override.variable} must be an integer from ${override.min} to ${override.max} (got '${raw.slice(0, 32)}')`, {
        field: override.variable, data: { variable: override.variable, value: raw.slice(0, 32) },
      });
    }
    const section = (sections[override.section] ??= {});
    section[override.field] = value;
    for (const cleared of override.clears ?? []) section[cleared] = null;
    sources.set(`${override.section}.${override.field}`, override.variable);
  }
  return { sections, sources };
}

/**
 * The configuration a module instance starts with: the host's config, the environment
 * variables above laid over it, validated as a whole. An error caused by a variable names
 * the variable, not the config field it feeds.
 */
export function resolveStartupConfig(input: unknown, env: Environment): ResolvedConfig {
  const { sections, sources } = readEnvironmentOverrides(env);
  if (sources.size === 0 || typeof input !== 'object' || input === null || Array.isArray(input)) return resolveConfig(input);
  const merged: Record<string, unknown> = structuredClone(input) as Record<string, unknown>;
  for (const [name, patch] of Object.entries(sections)) {
    const current = merged[name];
    if (current !== undefined && (typeof current !== 'object' || current === null || Array.isArray(current))) continue;
    merged[name] = { ...(current as object | undefined), ...patch };
  }
  try {
    return resolveConfig(merged);
  } catch (err) {
    throw err instanceof ModuleError ? nameVariables(err, sources) : err;
  }
}

function nameVariables(error: ModuleError, sources: ReadonlyMap<string, string>): ModuleError {
  let message = error.message;
  let field = error.field;
  for (const [configPath, variable] of sources) {
    message = message.split(configPath).join(variable);
    if (field === configPath) field = variable;
  }
  if (message === error.message && field === error.field) return error;
  return new ModuleError(error.kind, message, {
    cause: error, recoverable: error.recoverable, ...(field === null ? {} : { field }), ...(error.data ? { data: error.data } : {}),
  });
}
