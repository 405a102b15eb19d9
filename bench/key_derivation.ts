import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KEY_FILE_SCRYPT, PRIVATE_KEY_SCRYPT } from '../src/crypto/passphrase_kdf.js';
import { generateKeyFile, generatePassphraseKeyFile, loadKeyFile } from '../src/crypto/symmetric_key.js';
import { generateIdentityFiles, loadIdentityFile } from '../src/crypto/x25519_keys.js';

/**
 * node dist/bench/key_derivation.js [--runs N]: how long loading a key takes at start —
 * a plain key file, a passphrase key file (scrypt as keygen writes it) and an encrypted
 * X25519 private key — wall time of the whole load (checks, read, derive), N runs each.
 */

const PASSPHRASE = 'a passphrase for the benchmark';

function timed(runs: number, load: () => unknown): number[] {
  const ms: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    load();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return ms.sort((a, b) => a - b);
}

function line(label: string, ms: number[]): string {
  const median = ms[Math.floor(ms.length / 2)] as number;
  return `| ${label} | ${median.toFixed(1)} ms | ${(ms[0] as number).toFixed(1)} ms | ${(ms[ms.length - 1] as number).toFixed(1)} ms |`;
}

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '11' } } });
  const runs = Number(values.runs);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-kdf-bench-'));
  try {
    const plain = path.join(dir, 'plain.key');
    generateKeyFile(plain);
    const derived = path.join(dir, 'derived.key');
    generatePassphraseKeyFile(derived, PASSPHRASE);
    const identity = path.join(dir, 'identity');
    generateIdentityFiles(identity, PASSPHRASE);
    const s = KEY_FILE_SCRYPT;
    const x = PRIVATE_KEY_SCRYPT;
    console.log(`${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}, ${runs} runs each`);
    console.log('| key | median | fastest | slowest |');
    console.log('|---|---:|---:|---:|');
    console.log(line('plain key file (64 hex digits)', timed(runs, () => loadKeyFile(plain))));
    console.log(line(`passphrase key file (scrypt N=${s.N}, r=${s.r}, p=${s.p})`, timed(runs, () => loadKeyFile(derived, 'key_file', PASSPHRASE))));
    console.log(line(`encrypted X25519 private key (scrypt N=${x.N}, r=${x.r}, p=${x.p})`, timed(runs, () => loadIdentityFile(identity, 'identity', PASSPHRASE))));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
