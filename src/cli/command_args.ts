import { parseArgs } from 'node:util';
import { CliUsageError } from './cli_error.js';
import type { CliCommand } from './usage.js';

export type OptionSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

export interface CommandArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  /** Options no spec names (only collected when tolerated). */
  readonly unknown: readonly string[];
}

export interface ParseRules {
  /** Most positionals the command takes. */
  readonly maxPositionals: number;
  /** The RPi_Logger protocol asks modules to tolerate flags they do not know (serve only). */
  readonly tolerateUnknown?: boolean;
}

const HELP: OptionSpec = { help: { type: 'boolean', short: 'h' } };

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function hint(name: string, known: readonly string[]): string {
  const best = known.map((k) => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? ` (did you mean --${best.k}?)` : '';
}

/**
 * Parses one command's arguments like other CLIs do: -h/--help everywhere, an unknown
 * option or a missing value is a usage error naming the option and how to get help.
 */
export function parseCommandArgs(command: CliCommand, args: readonly string[], spec: OptionSpec, rules: ParseRules): CommandArgs {
  const options = { ...spec, ...HELP };
  const { values, positionals, tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const seeHelp = `see cameras-usb2 ${command} --help`;
  const unknown: string[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const known = options[token.name];
    if (known === undefined) {
      if (!rules.tolerateUnknown) throw new CliUsageError(`unknown option ${token.rawName} for ${command}${hint(token.name, Object.keys(options))}; ${seeHelp}`);
      unknown.push(token.rawName);
      continue;
    }
    if (known.type === 'string' && typeof token.value !== 'string') throw new CliUsageError(`option ${token.rawName} needs a value; ${seeHelp}`);
    if (known.type === 'boolean' && token.value !== undefined) throw new CliUsageError(`option ${token.rawName} takes no value; ${seeHelp}`);
  }
  // A tolerated `--flag value` leaves its value among the positionals: they cannot be checked then.
  if (!rules.tolerateUnknown && !values['help'] && positionals.length > rules.maxPositionals) {
    throw new CliUsageError(`unexpected argument ${positionals[rules.maxPositionals]} for ${command}; ${seeHelp}`);
  }
  return { values: values as CommandArgs['values'], positionals, unknown };
}
