import { closeSync, openSync } from 'node:fs';
import { ModuleError } from '../errors/codes.js';
import type { DecryptionKey } from '../crypto/file_keys.js';
import { loadKeyFile } from '../crypto/symmetric_key.js';
import { loadIdentityFile } from '../crypto/x25519_keys.js';
import { processPassphraseSource, withPassphrase } from './passphrase_source.js';

/** Exit codes of keygen, decrypt and verify. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliOutput {
  /** Plaintext and results. */
  readonly stdout: NodeJS.WritableStream;
  /** Messages for the person at the terminal. */
  readonly stderr: NodeJS.WritableStream;
}

/** A command line that cannot be run as given; the caller prints the message and the usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Runs a strict util.parseArgs: an unknown or misspelt flag becomes a usage error, not silently ignored. */
export function parsedOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export const KEY_OPTIONS = {
  'key-file': { type: 'string' },
  identity: { type: 'string' },
  'allow-truncated': { type: 'boolean' },
  'passphrase-file': { type: 'string' },
} as const;

/**
 * The key of --key-file or --identity (exactly one); one protected by a passphrase takes it
 * from --passphrase-file, CAMERAS_USB2_PASSPHRASE or the terminal. A key that cannot be
 * loaded (a wrong passphrase among them) is a usage error.
 */
export async function decryptionKeyFrom(values: { 'key-file'?: string | undefined; identity?: string | undefined; 'passphrase-file'?: string | undefined }): Promise<DecryptionKey> {
  const keyFile = values['key-file'];
  const identity = values.identity;
  const source = processPassphraseSource(values['passphrase-file']);
  if ((keyFile === undefined) === (identity === undefined)) throw new UsageError('give exactly one of --key-file KEY and --identity PRIVATE_KEY');
  try {
    const loaded = await withPassphrase<DecryptionKey>(source, (passphrase) =>
      (keyFile !== undefined ? loadKeyFile(keyFile, 'key-file', passphrase) : loadIdentityFile(identity as string, 'identity', passphrase)));
    return loaded.value;
  } catch (err) {
    if (err instanceof ModuleError) throw new UsageError(err.message);
    throw err;
  }
}

/** The one positional argument: an encrypted file that can be opened for reading. */
export function singleInput(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes one encrypted file (got ${positionals.length})`);
  const input = positionals[0] as string;
  try {
    closeSync(openSync(input, 'r'));
  } catch (err) {
    throw new UsageError(`cannot read ${input}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return input;
}

/** Runs a command body, mapping a UsageError to its message, the usage line and exit 2. */
export async function withUsage(usage: string, output: CliOutput, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    output.stderr.write(`${err.message}\nusage: ${usage}\n`);
    return EXIT_USAGE;
  }
}
