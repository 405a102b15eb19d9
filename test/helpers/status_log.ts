import path from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { compiled, createAjv, describeProblem, PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import type { StatusMessage } from '../../src/events/statuses.js';

/** Every status any harness saw, for the manifest coverage check (root_hooks.ts). */
export const seenStatuses: StatusMessage[] = [];

const ajv = createAjv({ useDefaults: false });
const validators = new Map<string, ValidateFunction>();

/** Why a status does not match its schema, or null when it does. */
export function statusProblem(message: StatusMessage): string | null {
  let validate = validators.get(message.status);
  if (!validate) {
    try {
      validate = compiled(ajv, `statuses/${message.status}.schema.json`);
    } catch (err) {
      return `${message.status}: no schema (${String(err)})`;
    }
    validators.set(message.status, validate);
  }
  if (validate(message.data)) return null;
  return `${message.status}: ${describeProblem(validate.errors).message} in ${JSON.stringify(message.data).slice(0, 2000)}`;
}

/**
 * Records a status and checks it against its schema at once; a harness calls
 * throwIfInvalid() after each command, so a bad status fails the test that caused it.
 */
export class StatusChecker {
  private readonly problems: string[] = [];

  record = (message: StatusMessage): void => {
    seenStatuses.push(message);
    const problem = statusProblem(message);
    if (problem) this.problems.push(problem);
  };

  throwIfInvalid(): void {
    if (this.problems.length === 0) return;
    const found = this.problems.splice(0);
    throw new Error(`status(es) not matching their schema:\n${found.join('\n')}`);
  }
}

export const MANIFEST_PATH = path.join(PACKAGE_ROOT, 'module.manifest.json');
