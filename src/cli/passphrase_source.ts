import type { ReadStream } from 'node:tty';
import { readSecretFile } from '../crypto/key_files.js';
import { MIN_PASSPHRASE_LENGTH, PassphraseRequired, PASSPHRASE_VARIABLE } from '../crypto/passphrase_kdf.js';
import { ModuleError } from '../errors/codes.js';
import { HiddenPrompt } from './tty_prompt.js';

export interface PassphraseSourceOptions {
  /** --passphrase-file: its first line is the passphrase. */
  readonly file?: string | undefined;
  /** Where CAMERAS_USB2_PASSPHRASE is read; the variable is removed from it, so child processes never inherit it. */
  readonly env: NodeJS.ProcessEnv;
  /** Asked when neither of the above is given and stdin is a terminal. */
  readonly terminal?: { readonly input: ReadStream; readonly output: NodeJS.WritableStream } | null;
}

/**
 * Where a command's passphrase comes from, in this order: --passphrase-file, the
 * CAMERAS_USB2_PASSPHRASE variable, a prompt without echo when stdin is a terminal. Never
 * the command line (argv is readable by every user on the machine). Read only when a key
 * turns out to need it.
 */
export class PassphraseSource {
  private readonly fromEnv: string | undefined;
  private readonly prompt: HiddenPrompt | null;

  constructor(private readonly options: PassphraseSourceOptions) {
    this.fromEnv = options.env[PASSPHRASE_VARIABLE] || undefined;
    delete options.env[PASSPHRASE_VARIABLE];
    const terminal = options.terminal;
    this.prompt = terminal && terminal.input.isTTY ? new HiddenPrompt(terminal.input, terminal.output) : null;
  }

  /** The passphrase of an existing key at `keyPath`. */
  async forKey(keyPath: string, field: string): Promise<string> {
    const given = this.given();
    if (given !== undefined) return given;
    if (this.prompt === null) throw new PassphraseRequired(keyPath, field);
    return nonEmpty(await this.prompt.ask(`passphrase for ${keyPath}: `), 'the passphrase typed');
  }

  /** The passphrase for a new key: asked twice at a terminal; at least MIN_PASSPHRASE_LENGTH characters. */
  async forNewKey(keyPath: string): Promise<string> {
    let passphrase = this.given();
    if (passphrase === undefined) {
      if (this.prompt === null) {
        throw new ModuleError('INVALID_PARAMS', `a passphrase for ${keyPath} is needed: give --passphrase-file FILE, set ${PASSPHRASE_VARIABLE}, or run keygen in a terminal to be asked`, { field: 'passphrase' });
      }
      passphrase = await this.prompt.ask(`new passphrase for ${keyPath}: `);
      if (await this.prompt.ask('the same passphrase again: ') !== passphrase) {
        throw new ModuleError('INVALID_PARAMS', 'the two passphrases differ; nothing was written', { field: 'passphrase' });
      }
    }
    if (Array.from(passphrase).length < MIN_PASSPHRASE_LENGTH) {
      throw new ModuleError('INVALID_PARAMS', `a passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters`, { field: 'passphrase' });
    }
    return passphrase;
  }

  private given(): string | undefined {
    if (this.options.file !== undefined) return firstLine(this.options.file);
    if (this.fromEnv !== undefined) return this.fromEnv;
    return undefined;
  }
}

/** The first line of a passphrase file (checked like a key file: yours, 0600, small); its newline is not part of it. */
function firstLine(file: string): string {
  const text = readSecretFile(file, 'passphrase-file', 'passphrase file');
  return nonEmpty(text.split(/\r?\n/, 1)[0] ?? '', `the first line of passphrase file ${file}`);
}

function nonEmpty(passphrase: string, what: string): string {
  if (passphrase === '') throw new ModuleError('INVALID_PARAMS', `${what} is empty`, { field: 'passphrase' });
  return passphrase;
}

/** The process's own source: --passphrase-file, process.env, and stdin/stderr when stdin is a terminal. */
export function processPassphraseSource(file: string | undefined): PassphraseSource {
  return new PassphraseSource({ file, env: process.env, terminal: { input: process.stdin as ReadStream, output: process.stderr } });
}

/**
 * Runs `load` without a passphrase; when the key turns out to need one, once more with the
 * source's. A key without a passphrase never makes anyone type one.
 */
export async function withPassphrase<T>(source: PassphraseSource, load: (passphrase: string | undefined) => T): Promise<{ value: T; passphrase: string | undefined }> {
  try {
    return { value: load(undefined), passphrase: undefined };
  } catch (err) {
    if (!(err instanceof PassphraseRequired)) throw err;
    const passphrase = await source.forKey(err.keyPath, err.field ?? 'passphrase');
    return { value: load(passphrase), passphrase };
  }
}
