import type { Ajv2020 } from 'ajv/dist/2020.js';
import { ModuleError } from '../errors/codes.js';
import type { CamerasConfig } from '../generated/schema-types.js';
import type { ResolvedConfig } from './config.js';
import { compiled, createAjv, describeProblem } from './schema_registry.js';
import { checkConfigRules } from './config_rules.js';

let defaultsAjv: Ajv2020 | undefined;
let sections: readonly string[] | undefined;

/** The configuration's sections, read from the schema itself: every top-level property that is an object. */
function sectionsOf(schema: unknown): readonly string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return Object.keys(properties).filter((name) => properties[name]?.type === 'object');
}

/** The configuration's section names (preview, record, storage, ...), as the schema defines them. */
export function configSections(): readonly string[] {
  defaultsAjv ??= createAjv({ useDefaults: true });
  sections ??= sectionsOf(compiled(defaultsAjv, 'config.schema.json').schema);
  return sections;
}

/** Validates a whole configuration and fills every default; throws INVALID_PARAMS naming the field. */
export function resolveConfig(input: unknown = {}): ResolvedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ModuleError('INVALID_PARAMS', 'configuration must be an object', { field: 'config' });
  }
  const copy = structuredClone(input) as Record<string, unknown>;
  // An absent section is an empty one, so the schema fills in all of its defaults.
  for (const section of configSections()) copy[section] ??= {};
  const validate = compiled(defaultsAjv as Ajv2020, 'config.schema.json');
  if (!validate(copy)) {
    const problem = describeProblem(validate.errors);
    throw new ModuleError('INVALID_PARAMS', `invalid configuration: ${problem.message}`, { field: problem.field });
  }
  checkConfigRules(copy);
  return copy as unknown as ResolvedConfig;
}

/** Section-wise merge of a partial configuration onto a complete one (the result is validated again). */
export function mergeConfig(base: ResolvedConfig, patch: CamerasConfig): ResolvedConfig {
  const merged: Record<string, unknown> = structuredClone(base);
  for (const [section, values] of Object.entries(patch)) {
    if (values === undefined) continue;
    merged[section] = { ...(merged[section] as object), ...(values as object) };
  }
  return resolveConfig(merged);
}
