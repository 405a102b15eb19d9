import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** The package root: schemas/ and module.manifest.json live there (dist/src/config → ../../..). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SCHEMAS_DIR = path.join(PACKAGE_ROOT, 'schemas');

function schemaFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? schemaFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : entry.name.endsWith('.schema.json') ? [`${prefix}${entry.name}`] : []);
}

/**
 * Loads every schema under schemas/ into one Ajv instance, keyed by their relative path
 * (which is also their $id), so cross-file $refs resolve.
 */
export function createAjv(options: { useDefaults: boolean }): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, useDefaults: options.useDefaults });
  for (const file of schemaFiles(SCHEMAS_DIR)) {
    if (file === 'manifest.schema.json') continue;
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as object);
  }
  return ajv;
}

export function compiled(ajv: Ajv2020, id: string): ValidateFunction {
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`No schema with $id ${id} under ${SCHEMAS_DIR}`);
  return validate;
}

/** The schemas' pattern for free-text names and labels (no C0/C1 control characters). */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';

export interface SchemaProblem {
  /** Dotted path of the offending field ('' for the payload itself). */
  readonly field: string;
  readonly message: string;
}

/** Turns ajv's errors into the field they are about and a sentence a person can act on. */
export function describeProblem(errors: readonly ErrorObject[] | null | undefined): SchemaProblem {
  const error = errors?.find((e) => e.keyword !== 'oneOf');
  if (!error) return { field: '', message: 'invalid payload' };
  const base = error.instancePath.split('/').filter(Boolean).join('.');
  const join = (name: string): string => (base ? `${base}.${name}` : name);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'pattern' && params['pattern'] === NO_CONTROL_CHARACTERS) {
    return { field: base, message: `field '${base}' must not contain control characters (newline, tab, NUL, ...): it goes into CSV files and file names` };
  }
  switch (error.keyword) {
    case 'required':
      return { field: join(String(params['missingProperty'])), message: `missing field '${join(String(params['missingProperty']))}'` };
    case 'additionalProperties':
      return { field: join(String(params['additionalProperty'])), message: `unknown field '${join(String(params['additionalProperty']))}'` };
    default:
      return { field: base, message: `field '${base || '(payload)'}' ${error.message ?? 'is invalid'}` };
  }
}
