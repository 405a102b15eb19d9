import { ModuleError } from '../errors/codes.js';

/** A guard section as far as the rules below need it (the schema has checked the types). */
interface ThresholdFields {
  readonly storage_warn_percent?: number;
  readonly storage_block_percent?: number;
}

export const WARN_PERCENT_FIELD = 'guard.storage_warn_percent';
export const BLOCK_PERCENT_FIELD = 'guard.storage_block_percent';

/**
 * Rules a JSON Schema cannot state: a warning must come before the block, or a full disk
 * would refuse recordings without ever having warned. Throws INVALID_PARAMS naming the field.
 */
export function checkConfigRules(config: { readonly guard?: ThresholdFields }): void {
  const warn = config.guard?.storage_warn_percent;
  const block = config.guard?.storage_block_percent;
  if (warn === undefined || block === undefined || warn < block) return;
  throw new ModuleError(
    'INVALID_PARAMS',
    `invalid configuration: ${WARN_PERCENT_FIELD} (${warn}) must be less than ${BLOCK_PERCENT_FIELD} (${block})`,
    { field: WARN_PERCENT_FIELD, data: { storage_warn_percent: warn, storage_block_percent: block } },
  );
}
