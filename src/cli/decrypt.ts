import { parseArgs } from 'node:util';
import { createReadStream, createWriteStream, openSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CiphertextError } from '../crypto/ciphertext_error.js';
import { DecryptingTransform } from '../crypto/decrypting_transform.js';
import type { DecryptSummary } from '../crypto/streaming_decryptor.js';
import {
  decryptionKeyFrom, EXIT_FAILED, EXIT_OK, KEY_OPTIONS, parsedOrUsage, singleInput, UsageError, withUsage, type CliOutput,
} from './crypto_cli.js';
import { describeSummary } from './verify.js';

export const DECRYPT_USAGE = 'cameras-usb2 decrypt FILE.enc (--key-file KEY | --identity PRIVATE_KEY) [--passphrase-file FILE] [-o OUT | -o -] [--allow-truncated]';

const ENCRYPTED_SUFFIX = '.enc';

/**
 * `decrypt`: streams the plaintext in constant memory to OUT (created exclusively, mode 0600:
 * it is patient data again), to stdout with `-o -`, or by default to FILE without `.enc`.
 * Only authenticated segments are written; on a bad segment an output file is removed (a
 * stream to stdout stops there) and the exit code is 1.
 */
export function runDecrypt(args: string[], output: CliOutput): Promise<number> {
  return withUsage(DECRYPT_USAGE, output, async () => {
    const { values, positionals } = parsedOrUsage(() => parseArgs({ args, options: { ...KEY_OPTIONS, out: { type: 'string', short: 'o' } }, strict: true, allowPositionals: true }));
    const input = singleInput(positionals, 'decrypt');
    const key = await decryptionKeyFrom(values);
    const target = values.out ?? defaultOutput(input);
    const decrypting = new DecryptingTransform(key, { allowTruncated: values['allow-truncated'] === true });
    const toStdout = target === '-';
    const sink: Writable | NodeJS.WritableStream = toStdout ? output.stdout : createWriteStream('', { fd: createOutput(target) });
    try {
      await pipeline(createReadStream(input), decrypting, sink, { end: !toStdout });
    } catch (err) {
      if (!toStdout) rmSync(target, { force: true });
      if (err instanceof CiphertextError) {
        output.stderr.write(`FAILED ${input}: ${err.message}\n${toStdout ? 'output stopped before this segment' : `nothing kept: ${target} removed`}\n`);
        return EXIT_FAILED;
      }
      // Output trouble (the player quit: EPIPE; a full disk): the file was not checked to its end.
      output.stderr.write(`stopped: cannot write to ${toStdout ? 'stdout' : target}: ${err instanceof Error ? err.message : String(err)}; ${input} was not verified to its end\n`);
      return EXIT_FAILED;
    }
    output.stderr.write(`${describeSummary(input, decrypting.summary as DecryptSummary)}${toStdout ? '' : ` -> ${target}`}\n`);
    return EXIT_OK;
  });
}

/** Opens OUT exclusively before anything is read: an existing file is never replaced (nor removed on failure). */
function createOutput(target: string): number {
  try {
    return openSync(target, 'wx', 0o600);
  } catch (err) {
    throw new UsageError(`cannot create ${target}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function defaultOutput(input: string): string {
  if (!input.endsWith(ENCRYPTED_SUFFIX) || input.length === ENCRYPTED_SUFFIX.length) {
    throw new UsageError(`${input} does not end in ${ENCRYPTED_SUFFIX}: name the output with -o OUT (or -o - for stdout)`);
  }
  return input.slice(0, -ENCRYPTED_SUFFIX.length);
}
