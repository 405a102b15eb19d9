import { spawn, spawnSync } from 'node:child_process';
import { scryptSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { EncryptedFileWriter } from '../../src/crypto/encrypted_file_writer.js';
import type { EncryptionKey } from '../../src/crypto/file_keys.js';
import { loadKeyFile } from '../../src/crypto/symmetric_key.js';
import { loadRecipientFile } from '../../src/crypto/x25519_keys.js';
import { runCli, runServe } from '../helpers/run_cli.js';
import { patternedBytes } from '../unit/crypto/crypto_fixtures.js';

const PASSPHRASE = 'seven tired pelicans';
const CLI = path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js');
const PTY_ANSWER = path.join(PACKAGE_ROOT, 'test', 'helpers', 'pty_answer.py');
/** No passphrase in the test's own environment leaks into the commands it runs. */
const NO_PASSPHRASE = { CAMERAS_USB2_PASSPHRASE: '', CAMERAS_ENCRYPTION_KEY_FILE: '' };

async function encryptFile(file: string, key: EncryptionKey, plaintext: Buffer): Promise<void> {
  const writer = await EncryptedFileWriter.create(file, { kind: 'video', key, ciphertextSegmentSize: 64 * 1024 });
  await writer.write(plaintext);
  await writer.close();
}

/** The command on a pseudo-terminal, each answer typed at a passphrase prompt; what the terminal showed. */
function onTerminal(answers: string[], args: string[], then?: [string, string]): { code: number | null; shown: string } {
  const run = spawnSync('python3', [PTY_ANSWER, JSON.stringify(answers), process.execPath, CLI, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...NO_PASSPHRASE, ...(then ? { PTY_THEN: JSON.stringify(then) } : {}) },
  });
  return { code: run.status, shown: run.stdout };
}

describe('passphrase-protected keys through the built CLI', function () {
  this.timeout(60_000);
  let dir: string;
  let passFile: string;
  const at = (name: string) => path.join(dir, name);
  const plaintext = patternedBytes(200_000, 'pass');

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-passcli-'));
    passFile = at('passphrase.txt');
    fs.writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 }); // the trailing newline is not part of it
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('symmetric: keygen from a passphrase file; verify/decrypt with the right passphrase; a wrong one is "wrong passphrase", not tampering', async () => {
    const key = at('sym.key');
    const made = await runCli(['keygen', '--passphrase-file', passFile, '--out', key], { env: NO_PASSPHRASE });
    expect(made.code, made.stderr).to.equal(0);
    expect(made.stdout).to.match(/key id [0-9a-f]{16}/).and.not.include(PASSPHRASE);
    const file = at('trial.mkv.enc');
    await encryptFile(file, loadKeyFile(key, 'k', PASSPHRASE), plaintext);

    const ok = await runCli(['verify', file, '--key-file', key, '--passphrase-file', passFile], { env: NO_PASSPHRASE });
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/^OK /);
    const viaEnv = await runCli(['decrypt', file, '--key-file', key, '-o', at('trial.mkv')], { env: { ...NO_PASSPHRASE, CAMERAS_USB2_PASSPHRASE: PASSPHRASE } });
    expect(viaEnv.code, viaEnv.stderr).to.equal(0);
    expect(fs.readFileSync(at('trial.mkv')).equals(plaintext)).to.equal(true);

    const wrong = await runCli(['verify', file, '--key-file', key], { env: { ...NO_PASSPHRASE, CAMERAS_USB2_PASSPHRASE: `${PASSPHRASE}!` } });
    expect(wrong.code).to.equal(2);
    expect(wrong.stderr).to.include(`wrong passphrase for ${key}`);
    expect(`${wrong.stdout}${wrong.stderr}`).not.to.match(/tamper|FAILED|modified/);
    const none = await runCli(['verify', file, '--key-file', key], { env: NO_PASSPHRASE });
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/protected by a passphrase: give --passphrase-file FILE, set CAMERAS_USB2_PASSPHRASE/);
  });

  it('X25519: keygen --x25519 --passphrase writes ENCRYPTED PRIVATE KEY; decrypt opens recordings with the passphrase', async () => {
    const me = at('reader');
    const made = await runCli(['keygen', '--x25519', '--passphrase', '--out', me], { env: { ...NO_PASSPHRASE, CAMERAS_USB2_PASSPHRASE: PASSPHRASE } });
    expect(made.code, made.stderr).to.equal(0);
    expect(fs.readFileSync(me, 'utf8')).to.match(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const file = at('x.mkv.enc');
    await encryptFile(file, loadRecipientFile(`${me}.pub`), plaintext);
    const out = await runCli(['decrypt', file, '--identity', me, '--passphrase-file', passFile, '-o', at('x.mkv')], { env: NO_PASSPHRASE });
    expect(out.code, out.stderr).to.equal(0);
    expect(fs.readFileSync(at('x.mkv')).equals(plaintext)).to.equal(true);
    const wrong = await runCli(['verify', file, '--identity', me], { env: { ...NO_PASSPHRASE, CAMERAS_USB2_PASSPHRASE: 'not the passphrase' } });
    expect(wrong.code).to.equal(2);
    expect(wrong.stderr).to.include(`wrong passphrase for ${me}`);
  });

  it('serve refuses to start without the passphrase: one error, no ready, exit 2', async () => {
    const key = at('serve-refuse.key');
    expect((await runCli(['keygen', '--passphrase-file', passFile, '--out', key], { env: NO_PASSPHRASE })).code).to.equal(0);
    const run = await runServe('{"command":"quit"}\n', ['--key-file', key], NO_PASSPHRASE);
    expect(run.code, run.stderr).to.equal(2);
    expect(run.lines.map((line) => line['status'])).to.deep.equal(['error']);
    const data = run.lines[0]?.['data'] as Record<string, unknown>;
    expect(data).to.include({ code: -1002, recoverable: false, field: 'encryption.key_file' });
    expect(String(data['error'])).to.match(/protected by a passphrase/);
    const wrong = await runServe('{"command":"quit"}\n', ['--key-file', key], { ...NO_PASSPHRASE, CAMERAS_USB2_PASSPHRASE: 'wrong wrong wrong' });
    expect(wrong.code).to.equal(2);
    expect(String((wrong.lines[0]?.['data'] as Record<string, unknown>)['error'])).to.match(/wrong passphrase/);
  });

  it('demo records and checks with a passphrase key file, and refuses to start without the passphrase (exit 2, nothing written)', async () => {
    const key = at('demo.key');
    expect((await runCli(['keygen', '--passphrase-file', passFile, '--out', key], { env: NO_PASSPHRASE })).code).to.equal(0);
    const refused = await runCli(['demo', '--key-file', key, '--out', at('demo-refused'), '--seconds', '1'], { env: NO_PASSPHRASE });
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/protected by a passphrase/);
    expect(fs.existsSync(at('demo-refused'))).to.equal(false);
    const run = await runCli(['demo', '--key-file', key, '--passphrase-file', passFile, '--out', at('demo-out'), '--seconds', '1', '--camera', 'synthetic:320x240@15'], { env: NO_PASSPHRASE });
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
    expect(run.stdout).to.include('demo OK');
    expect(`${run.stdout}${run.stderr}`).not.to.include(PASSPHRASE);
  });

  it('serve derives the key at start; neither the passphrase nor the key shows in argv, statuses, debug logs or its ffmpeg children\'s environment', async function () {
    if (process.platform !== 'linux') this.skip(); // reads /proc
    const key = at('serve.key');
    expect((await runCli(['keygen', '--passphrase-file', passFile, '--out', key], { env: NO_PASSPHRASE })).code).to.equal(0);
    const stored = JSON.parse(fs.readFileSync(key, 'utf8')) as { salt: string; N: number; r: number; p: number };
    const derived = scryptSync(PASSPHRASE, Buffer.from(stored.salt, 'hex'), 32, { N: stored.N, r: stored.r, p: stored.p, maxmem: 64 << 20 });
    const child = spawn(process.execPath, [CLI, 'serve', '--stdio', '--key-file', key, '--log-level', 'debug', '--output-dir', at('serve-out')], {
      env: { ...process.env, ...NO_PASSPHRASE, CAMERAS_USB2_PASSPHRASE: PASSPHRASE }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const shown = (text: string) => new Promise<void>((resolve) => {
      const look = () => { if (stdout.includes(text)) resolve(); };
      child.stdout.on('data', look);
      look();
    });
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await Promise.race([shown('"ready"'), exited]);
      expect(stdout, stderr).to.include('"ready"');
      const argv = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      expect(argv).to.include('--key-file').and.not.include(PASSPHRASE);
      // A camera's ffmpeg: it must not inherit the passphrase through the environment.
      child.stdin.write(`${JSON.stringify({ command: 'assign_device', camera_id: { backend: 'synthetic', stable_id: 'cam1' }, descriptor: { name: 'cam', device_path: 'synthetic:160x120@10' } })}\n`);
      await Promise.race([shown('"device_ready"'), shown('"device_error"'), exited]);
      expect(stdout, stderr).to.include('"device_ready"');
      const children = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      expect(children, 'the capture ffmpeg runs').to.not.be.empty;
      for (const pid of children) expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8'), `child ${pid}`).not.to.include(PASSPHRASE);
      child.stdin.end('{"command":"quit"}\n');
      expect(await exited).to.equal(0);
    } finally {
      child.kill();
    }
    const everything = `${stdout}${stderr}`;
    for (const secret of [PASSPHRASE, derived.toString('hex'), derived.toString('base64'), derived.toString('base64url')]) {
      expect(everything).not.to.include(secret);
    }
  });

  describe('at a terminal (pseudo-terminal)', function () {
    before(function () {
      if (spawnSync('python3', ['-c', 'import pty']).status !== 0) this.skip();
    });

    it('keygen --passphrase asks twice without echo; verify asks once and opens the key', async () => {
      const key = at('typed.key');
      const made = onTerminal([PASSPHRASE, PASSPHRASE], ['keygen', '--passphrase', '--out', key]);
      expect(made.code, made.shown).to.equal(0);
      expect(made.shown).to.include(`new passphrase for ${key}: `).and.include('the same passphrase again: ');
      expect(made.shown, 'typed characters are not echoed').not.to.include(PASSPHRASE);
      const file = at('typed.mkv.enc');
      await encryptFile(file, loadKeyFile(key, 'k', PASSPHRASE), plaintext);
      const verified = onTerminal([PASSPHRASE], ['verify', file, '--key-file', key]);
      expect(verified.code, verified.shown).to.equal(0);
      expect(verified.shown).to.include(`passphrase for ${key}: `).and.match(/OK .*200000 plaintext bytes/);
      expect(verified.shown).not.to.include(PASSPHRASE);
      const wrong = onTerminal(['a different one'], ['verify', file, '--key-file', key]);
      expect(wrong.code).to.equal(2);
      expect(wrong.shown).to.include('wrong passphrase').and.not.include('a different one');
    });

    it('serve started in a terminal asks before it reads commands, then runs with the derived key', async () => {
      const key = at('serve-typed.key');
      expect((await runCli(['keygen', '--passphrase-file', passFile, '--out', key], { env: NO_PASSPHRASE })).code).to.equal(0);
      const run = onTerminal([PASSPHRASE], ['serve', '--stdio', '--key-file', key, '--output-dir', at('serve-typed')], ['"ready"', '{"command":"quit"}']);
      expect(run.code, run.shown).to.equal(0);
      expect(run.shown).to.include(`passphrase for ${key}: `).and.include('"ready"'); // exit 0: the quit typed after ready was read as a command
      expect(run.shown).not.to.include(PASSPHRASE);
    });

    it('keygen writes nothing when the two passphrases differ', () => {
      const key = at('differ.key');
      const made = onTerminal([PASSPHRASE, `${PASSPHRASE}x`], ['keygen', '--passphrase', '--out', key]);
      expect(made.code).to.equal(2);
      expect(made.shown).to.include('the two passphrases differ');
      expect(fs.existsSync(key)).to.equal(false);
    });
  });
});

