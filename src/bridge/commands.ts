import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import { compiled, createAjv, describeProblem } from '../config/schema_registry.js';

export type CanonicalCommand = keyof CommandPayloads;

/** Other names the seeds and hosts use for the same commands. */
export const COMMAND_ALIASES = {
  record: 'start_recording',
  pause: 'stop_recording',
  pause_recording: 'stop_recording',
} as const satisfies Record<string, CanonicalCommand>;

export type CommandAlias = keyof typeof COMMAND_ALIASES;
export type CommandName = CanonicalCommand | CommandAlias;

export const CANONICAL_COMMANDS: readonly CanonicalCommand[] = [
  'assign_device', 'unassign_device', 'unassign_all_devices', 'start_recording', 'stop_recording',
  'resume_recording', 'start_session', 'stop_session', 'apply_config', 'control_change', 'reprobe',
  'get_status', 'get_storage_info', 'quit', 'set_log_level', 'take_snapshot', 'toggle_preview', 'show_window', 'hide_window',
  'get_geometry', 'get_preview', 'capture_snapshot', 'set_resolution', 'set_fps',
];

export const ALL_COMMAND_NAMES: readonly CommandName[] = [
  ...CANONICAL_COMMANDS, ...(Object.keys(COMMAND_ALIASES) as CommandAlias[]),
];

export type ParsedCommand = {
  [K in CanonicalCommand]: {
    /** The name as the host sent it, lower-cased. */
    readonly name: string;
    readonly canonical: K;
    readonly payload: CommandPayloads[K];
    readonly commandId: string | undefined;
  };
}[CanonicalCommand];

/**
 * Every accepted name → its canonical command. A Map, not an object lookup: a host-sent
 * name like `__proto__` or `constructor` must not find Object.prototype's members.
 */
const COMMAND_LOOKUP: ReadonlyMap<string, CanonicalCommand> = new Map<string, CanonicalCommand>([
  ...CANONICAL_COMMANDS.map((name): [string, CanonicalCommand] => [name, name]),
  ...Object.entries(COMMAND_ALIASES),
]);

export function canonicalName(name: string): CanonicalCommand | undefined {
  return COMMAND_LOOKUP.get(name.toLowerCase());
}

/** Checks a command's name and payload against schemas/commands before anything acts on it. */
export class CommandValidator {
  private readonly validators = new Map<CanonicalCommand, ValidateFunction>();
  private readonly ajv = createAjv({ useDefaults: false });

  /** Compiled on first use: compiling all of them would delay `ready` at start-up. */
  private validatorFor(name: CanonicalCommand): ValidateFunction {
    let validate = this.validators.get(name);
    if (!validate) {
      validate = compiled(this.ajv, `commands/${name}.schema.json`);
      this.validators.set(name, validate);
    }
    return validate;
  }

  /**
   * A command with several accepted shapes (assign_device: the seeds' nested one, the
   * RPi_Logger host's flat one) is judged by the shape it comes closest to, so the error
   * names the field that is wrong there rather than every field of the other shape.
   */
  private closestShapeErrors(name: CanonicalCommand, body: object): ValidateFunction['errors'] | undefined {
    const schema = this.ajv.getSchema(`commands/${name}.schema.json`)?.schema as { oneOf?: unknown[] } | undefined;
    if (!schema?.oneOf) return undefined;
    const attempts = schema.oneOf.map((_, i) => {
      const branch = compiled(this.ajv, `commands/${name}.schema.json#/oneOf/${i}`);
      branch(body);
      return branch.errors ?? [];
    });
    return attempts.reduce((best, next) => (next.length < best.length ? next : best));
  }

  parse(name: unknown, payload: unknown): ParsedCommand {
    if (typeof name !== 'string' || name.length === 0) {
      throw new ModuleError('INVALID_PARAMS', "missing field 'command' (a non-empty string)", { field: 'command' });
    }
    const canonical = canonicalName(name);
    if (!canonical) {
      throw new ModuleError('UNKNOWN_COMMAND', `Unknown command: ${name.slice(0, 64)}`, { field: 'command' });
    }
    const body = payload ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new ModuleError('INVALID_PARAMS', `${canonical}: payload must be an object`, { field: '' });
    }
    const validate = this.validatorFor(canonical);
    if (!validate(body)) {
      const problem = describeProblem(this.closestShapeErrors(canonical, body) ?? validate.errors);
      throw new ModuleError('INVALID_PARAMS', `${name}: ${problem.message}`, { field: problem.field });
    }
    const commandId = (body as { command_id?: string }).command_id;
    return { name: name.toLowerCase(), canonical, payload: body, commandId } as ParsedCommand;
  }
}
