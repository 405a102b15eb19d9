import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { EncryptedFileWriter } from '../../src/crypto/encrypted_file_writer.js';
import type { EncryptionKey } from '../../src/crypto/file_keys.js';
import { loadKeyFile } from '../../src/crypto/symmetric_key.js';
import { loadRecipientFile } from '../../src/crypto/x25519_keys.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { patternedBytes } from '../unit/crypto/crypto_fixtures.js';

const registry = new ProcessRegistry(new NodeProcessSpawner());

interface CliResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs the built CLI as a user would. */
async function cli(...args: string[]): Promise<CliResult> {
  const proc = registry.start(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  proc.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await proc.exited;
  return { code: exit.code, stdout: Buffer.concat(chunks), stderr: exit.stderrTail };
}

async function encryptFile(file: string, key: EncryptionKey, plaintext: Buffer): Promise<void> {
  const writer = await EncryptedFileWriter.create(file, { kind: 'video', key, ciphertextSegmentSize: 64 * 1024 });
  for (let at = 0; at < plaintext.length; at += 40_000) await writer.write(plaintext.subarray(at, at + 40_000));
  await writer.close();
}

describe('cameras-usb2 keygen / decrypt / verify (built CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  let keyPath: string;
  let file: string;
  const plaintext = patternedBytes(300_000, 'cli');
  const at = (name: string) => path.join(dir, name);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-cli-'));
    keyPath = at('rec.key');
    const made = await cli('keygen', '--out', keyPath);
    expect(made.code, made.stderr).to.equal(0);
    expect(made.stdout.toString()).to.match(/wrote key .*mode 0600/);
    expect(made.stdout.toString()).not.to.include(fs.readFileSync(keyPath, 'utf8').trim());
    file = at('trial.mkv.enc');
    await encryptFile(file, loadKeyFile(keyPath), plaintext);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keygen refuses to overwrite a key (exit 2)', async () => {
    const again = await cli('keygen', '--out', keyPath);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.match(/already exists/);
  });

  it('verify says OK with the sizes', async () => {
    const result = await cli('verify', file, '--key-file', keyPath);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.toString()).to.match(/^OK .*300000 plaintext bytes in 5 segments of 65536 bytes/);
  });

  it('decrypt writes the plaintext next to the file (mode 0600), or to stdout with -o -', async () => {
    const toFile = await cli('decrypt', file, '--key-file', keyPath);
    expect(toFile.code, toFile.stderr).to.equal(0);
    expect(fs.readFileSync(at('trial.mkv')).equals(plaintext)).to.equal(true);
    if (process.platform !== 'win32') expect(fs.statSync(at('trial.mkv')).mode & 0o777).to.equal(0o600);
    const again = await cli('decrypt', file, '--key-file', keyPath);
    expect(again.code, 'an existing output is never replaced').to.equal(2);
    expect(fs.readFileSync(at('trial.mkv')).equals(plaintext)).to.equal(true);
    const toStdout = await cli('decrypt', file, '--key-file', keyPath, '-o', '-');
    expect(toStdout.code, toStdout.stderr).to.equal(0);
    expect(toStdout.stdout.equals(plaintext)).to.equal(true);
  });

  it('a tampered file fails verify (exit 1) naming segment, offset and reason; decrypt keeps nothing', async () => {
    const bad = Buffer.from(fs.readFileSync(file));
    const offset = 24 + 2 * 65536 + 1000;
    bad[offset] ^= 0x80;
    fs.writeFileSync(at('bad.enc'), bad);
    const verified = await cli('verify', at('bad.enc'), '--key-file', keyPath);
    expect(verified.code).to.equal(1);
    expect(verified.stdout.toString()).to.match(new RegExp(`^FAILED .*segment 2 at byte ${24 + 2 * 65536}: tag_mismatch`));
    const decrypted = await cli('decrypt', at('bad.enc'), '--key-file', keyPath, '-o', at('bad.out'));
    expect(decrypted.code).to.equal(1);
    expect(fs.existsSync(at('bad.out'))).to.equal(false);
  });

  it('a file cut by a crash fails verify, and --allow-truncated recovers every complete segment and says what was lost', async () => {
    const cut = fs.readFileSync(file).subarray(0, 24 + 3 * 65536 + 500);
    fs.writeFileSync(at('cut.enc'), cut);
    const strict = await cli('verify', at('cut.enc'), '--key-file', keyPath);
    expect(strict.code).to.equal(1);
    expect(strict.stdout.toString()).to.match(/segment 3 at byte 196632: truncated_or_modified/);
    const lenient = await cli('verify', at('cut.enc'), '--key-file', keyPath, '--allow-truncated');
    expect(lenient.code, lenient.stderr).to.equal(0);
    expect(lenient.stdout.toString()).to.match(/OK \(TRUNCATED\).*dropped the incomplete segment 3 \(500 bytes on disk\)/);
    fs.writeFileSync(at('boundary.enc'), fs.readFileSync(file).subarray(0, 24 + 2 * 65536));
    const boundary = await cli('verify', at('boundary.enc'), '--key-file', keyPath, '--allow-truncated');
    expect(boundary.code, boundary.stderr).to.equal(0);
    expect(boundary.stdout.toString()).to.match(/OK \(TRUNCATED\).*in 2 segments.*the file ends before segment 2/);
    const recovered = await cli('decrypt', at('cut.enc'), '--key-file', keyPath, '--allow-truncated', '-o', '-');
    expect(recovered.code).to.equal(0);
    expect(recovered.stdout.equals(plaintext.subarray(0, 3 * 65520 - 40))).to.equal(true);
  });

  it('X25519: the recorder writes with the .pub; only --identity decrypts', async () => {
    const made = await cli('keygen', '--x25519', '--out', at('reader'));
    expect(made.code, made.stderr).to.equal(0);
    await encryptFile(at('pub.enc'), loadRecipientFile(at('reader.pub')), plaintext);
    const decrypted = await cli('decrypt', at('pub.enc'), '--identity', at('reader'), '-o', '-');
    expect(decrypted.code, decrypted.stderr).to.equal(0);
    expect(decrypted.stdout.equals(plaintext)).to.equal(true);
    const withKey = await cli('verify', at('pub.enc'), '--key-file', keyPath);
    expect(withKey.code).to.equal(1);
    expect(withKey.stdout.toString()).to.match(/wrong_key.*--identity/);
  });

  it('a wrong key fails (exit 1); a key file readable by others and bad usage are usage errors (exit 2)', async () => {
    await cli('keygen', '--out', at('other.key'));
    const wrong = await cli('verify', file, '--key-file', at('other.key'));
    expect(wrong.code).to.equal(1);
    expect(wrong.stdout.toString()).to.match(/wrong_key/);
    if (process.platform !== 'win32') {
      fs.chmodSync(at('other.key'), 0o644);
      const open = await cli('verify', file, '--key-file', at('other.key'));
      expect(open.code).to.equal(2);
      expect(open.stderr).to.match(/readable by group or others/);
    }
    expect((await cli('verify', file)).code).to.equal(2);
    expect((await cli('decrypt', file, '--key-file', keyPath, '--identity', at('reader'))).code).to.equal(2);
    expect((await cli('decrypt', at('plain.bin'), '--key-file', keyPath)).code).to.equal(2);
  });
});
