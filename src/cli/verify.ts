import { parseArgs } from 'node:util';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CiphertextError } from '../crypto/ciphertext_error.js';
import { DecryptingTransform } from '../crypto/decrypting_transform.js';
import type { DecryptSummary } from '../crypto/streaming_decryptor.js';
import {
  decryptionKeyFrom, EXIT_FAILED, EXIT_OK, KEY_OPTIONS, parsedOrUsage, singleInput, withUsage, type CliOutput,
} from './crypto_cli.js';

export const VERIFY_USAGE = 'cameras-usb2 verify FILE.enc (--key-file KEY | --identity PRIVATE_KEY) [--passphrase-file FILE] [--allow-truncated]';

/**
 * `verify`: authenticates every segment in constant memory and prints OK with the sizes, or
 * FAILED with the segment, byte offset and reason. Exit 0 OK, 1 failed, 2 usage.
 */
export function runVerify(args: string[], output: CliOutput): Promise<number> {
  return withUsage(VERIFY_USAGE, output, async () => {
    const { values, positionals } = parsedOrUsage(() => parseArgs({ args, options: KEY_OPTIONS, strict: true, allowPositionals: true }));
    const input = singleInput(positionals, 'verify');
    const key = await decryptionKeyFrom(values);
    const decrypting = new DecryptingTransform(key, { allowTruncated: values['allow-truncated'] === true });
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    try {
      await pipeline(createReadStream(input), decrypting, discard);
    } catch (err) {
      if (err instanceof CiphertextError) {
        output.stdout.write(`FAILED ${input}: ${err.message}\n`);
        return EXIT_FAILED;
      }
      output.stdout.write(`FAILED ${input}: cannot read it: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT_FAILED;
    }
    output.stdout.write(`${describeSummary(input, decrypting.summary as DecryptSummary)}\n`);
    return EXIT_OK;
  });
}

/** One line for a verified (or accepted truncated) file; shared with decrypt. */
export function describeSummary(input: string, summary: DecryptSummary): string {
  const sizes = `${summary.plaintextBytes} plaintext bytes in ${summary.segments} segments of ${summary.ciphertextSegmentSize} bytes, `
    + `${summary.fileBytes} file bytes, key mode ${summary.keyMode}`;
  const cut = summary.truncation;
  if (cut === null) return `OK ${input}: ${sizes}`;
  const dropped = cut.droppedBytes > 0
    ? `dropped the incomplete segment ${cut.segment} (${cut.droppedBytes} bytes on disk)`
    : `the file ends before segment ${cut.segment} (the last segment and any before it are missing)`;
  return `OK (TRUNCATED) ${input}: recovered ${sizes}; ${dropped}; anything written after that point is lost`;
}
