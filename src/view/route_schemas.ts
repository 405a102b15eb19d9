/**
 * Request schemas of the view's routes, in the draft the project's schemas use (2020-12),
 * compiled by the same Ajv set-up as the commands (see view_validation.ts). Bodies that are
 * commands refer to the command's own schema, so the route accepts exactly what the
 * command does and the runtime validates it once more on its queue.
 */
const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

export const ASSET_PARAMS = {
  $schema: DRAFT,
  type: 'object',
  additionalProperties: false,
  required: ['file'],
  properties: { file: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' } },
} as const;

export const CONTROL_BODY = {
  $schema: DRAFT,
  type: 'object',
  additionalProperties: false,
  required: ['control', 'value'],
  properties: {
    control: { type: 'string', minLength: 1, maxLength: 128 },
    value: { type: ['number', 'boolean', 'string'], maxLength: 64 },
  },
} as const;

/** apply_config's own schema (a command_id in it is replaced: the view sets its own to collect the answers). */
export const CONFIG_BODY = {
  $schema: DRAFT,
  type: 'object',
  $ref: 'commands/apply_config.schema.json',
  minProperties: 1,
} as const;

export const EMPTY_BODY = {
  $schema: DRAFT,
  type: 'object',
  additionalProperties: false,
  properties: {},
} as const;

export const TRIAL_START_BODY = {
  $schema: DRAFT,
  type: 'object',
  additionalProperties: false,
  required: ['trial_number'],
  properties: {
    trial_number: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    trial_label: { type: 'string', maxLength: 256 },
  },
} as const;

export interface ControlBody {
  readonly control: string;
  readonly value: number | boolean | string;
}

export interface TrialStartBody {
  readonly trial_number: number;
  readonly trial_label?: string;
}
