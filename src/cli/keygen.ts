import { parseArgs } from 'node:util';
import { keyId } from '../crypto/key_id.js';
import { generateKeyFile, loadKeyFile } from '../crypto/symmetric_key.js';
import { generateIdentityFiles, loadRecipientFile, rawPublicKey } from '../crypto/x25519_keys.js';
import { ModuleError } from '../errors/codes.js';
import { EXIT_OK, parsedOrUsage, UsageError, withUsage, type CliOutput } from './crypto_cli.js';

export const KEYGEN_USAGE = 'cameras-usb2 keygen [--x25519] --out FILE';

/**
 * `keygen --out FILE`: a random 256-bit key (mode 0600). `keygen --x25519 --out NAME`: NAME
 * (private, 0600) and NAME.pub for recorders that must not be able to read their own files.
 * Never overwrites; prints only paths and the public key id, never key material.
 */
export function runKeygen(args: string[], output: CliOutput): Promise<number> {
  return withUsage(KEYGEN_USAGE, output, async () => {
    const { values, positionals } = parsedOrUsage(() => parseArgs({ args, options: { out: { type: 'string' }, x25519: { type: 'boolean' } }, strict: true, allowPositionals: true }));
    if (values.out === undefined || positionals.length > 0) throw new UsageError('keygen needs --out FILE and nothing else');
    try {
      if (values.x25519) {
        const publicPath = generateIdentityFiles(values.out);
        const id = keyId(rawPublicKey(loadRecipientFile(publicPath).publicKey)).toString('hex');
        output.stdout.write(`wrote private key ${values.out} (mode 0600) and public key ${publicPath} (key id ${id})\n`
          + 'give the recorder only the .pub file; keep the private key where recordings are read\n');
      } else {
        generateKeyFile(values.out);
        const id = keyId(loadKeyFile(values.out).key).toString('hex');
        output.stdout.write(`wrote key ${values.out} (mode 0600, key id ${id})\n`
          + 'whoever holds this file can read the recordings: keep it apart from them and back it up\n');
      }
    } catch (err) {
      if (err instanceof ModuleError) throw new UsageError(err.message);
      throw err;
    }
    return EXIT_OK;
  });
}
