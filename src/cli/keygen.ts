import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { keyId } from '../crypto/key_id.js';
import { generateKeyFile, generatePassphraseKeyFile, loadKeyFile } from '../crypto/symmetric_key.js';
import { generateIdentityFiles, loadRecipientFile, rawPublicKey } from '../crypto/x25519_keys.js';
import { ModuleError } from '../errors/codes.js';
import { EXIT_OK, parsedOrUsage, UsageError, withUsage, type CliOutput } from './crypto_cli.js';
import { processPassphraseSource } from './passphrase_source.js';

export const KEYGEN_USAGE = 'cameras-usb2 keygen [--x25519] [--passphrase] [--passphrase-file FILE] --out FILE';

/**
 * `keygen --out FILE`: a random 256-bit key (mode 0600). `keygen --x25519 --out NAME`: NAME
 * (private, 0600) and NAME.pub for recorders that must not be able to read their own files.
 * With --passphrase (or --passphrase-file), the key is protected by a passphrase: a key file
 * holding only scrypt's parameters and salt, or an encrypted PKCS#8 private key.
 * Never overwrites; prints only paths and the public key id, never key material.
 */
export function runKeygen(args: string[], output: CliOutput): Promise<number> {
  return withUsage(KEYGEN_USAGE, output, async () => {
    const { values, positionals } = parsedOrUsage(() => parseArgs({
      args, strict: true, allowPositionals: true,
      options: { out: { type: 'string' }, x25519: { type: 'boolean' }, passphrase: { type: 'boolean' }, 'passphrase-file': { type: 'string' } },
    }));
    if (values.out === undefined || positionals.length > 0) throw new UsageError('keygen needs --out FILE and nothing else');
    const out = values.out;
    try {
      const protect = values.passphrase === true || values['passphrase-file'] !== undefined;
      // Before anyone types a passphrase for nothing (writing would refuse these anyway).
      for (const file of values.x25519 ? [`${out}.pub`, out] : [out]) {
        if (protect && existsSync(file)) throw new UsageError(`cannot create ${file}: it already exists (a key file is never overwritten)`);
      }
      const passphrase = protect ? await processPassphraseSource(values['passphrase-file']).forNewKey(out) : undefined;
      const guarded = passphrase === undefined ? '' : ', protected by the passphrase';
      if (values.x25519) {
        const publicPath = generateIdentityFiles(out, passphrase);
        const id = keyId(rawPublicKey(loadRecipientFile(publicPath).publicKey)).toString('hex');
        output.stdout.write(`wrote private key ${out} (mode 0600${guarded}) and public key ${publicPath} (key id ${id})\n`
          + 'give the recorder only the .pub file; keep the private key where recordings are read\n');
      } else if (passphrase !== undefined) {
        const id = generatePassphraseKeyFile(out, passphrase);
        output.stdout.write(`wrote key file ${out} (mode 0600, key id ${id}): scrypt parameters and salt, not the key\n`
          + 'the key is derived from the passphrase at every start: without it, and without this file, the recordings cannot be read\n');
      } else {
        generateKeyFile(out);
        const id = keyId(loadKeyFile(out).key).toString('hex');
        output.stdout.write(`wrote key ${out} (mode 0600, key id ${id})\n`
          + 'whoever holds this file can read the recordings: keep it apart from them and back it up\n');
      }
    } catch (err) {
      if (err instanceof ModuleError) throw new UsageError(err.message);
      throw err;
    }
    return EXIT_OK;
  });
}
