import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { newKeyFile } from '../helpers/encrypted_trials.js';

interface Run { readonly code: number | null; readonly lines: Array<Record<string, unknown>>; readonly stderr: string }

/** `cameras-usb2 serve --stdio` with these arguments and extra environment, one quit line on stdin. */
function runServe(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), 'serve', '--stdio', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CAMERAS_ENCRYPTION_KEY_FILE: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stderr });
    });
    child.stdin.end('{"command":"quit"}\n');
  });
}

describe('encryption at start-up: a key that cannot be used stops serve before ready', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-keystart-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string, mode: number): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, content, { mode });
    fs.chmodSync(f, mode);
    return f;
  };

  const cases: Array<[string, () => { args: string[]; env?: Record<string, string> }, RegExp, string]> = [
    ['a missing --key-file', () => ({ args: ['--key-file', path.join(dir, 'missing.key')] }), /^--key-file \S+missing\.key: .*no such file/, 'encryption.key_file'],
    ['a --key-file others may read', () => ({ args: ['--key-file', file('open.key', `${'ab'.repeat(32)}\n`, 0o644)] }), /readable by group or others \(mode 644\)/, 'encryption.key_file'],
    ['a --key-file that holds no key', () => ({ args: ['--key-file', file('wrong.key', 'not a key\n', 0o600)] }), /^--key-file \S+wrong\.key: /, 'encryption.key_file'],
    ['encryption.enabled without a key', () => ({ args: ['--config-path', file('on.json', '{"encryption":{"enabled":true}}', 0o600)] }), /no key is configured/, 'encryption.key_file'],
    ['a missing CAMERAS_ENCRYPTION_KEY_FILE', () => ({ args: [], env: { CAMERAS_ENCRYPTION_KEY_FILE: path.join(dir, 'nowhere.key') } }), /^cannot read .*nowhere\.key: no such file/, 'CAMERAS_ENCRYPTION_KEY_FILE'],
  ];
  for (const [what, setup, message, field] of cases) {
    it(`answers ${what} with one unrecoverable error naming it, no ready, exit code 2`, async () => {
      const { args, env } = setup();
      const run = await runServe(args, env);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.lines.map((line) => line['status'])).to.deep.equal(['error']);
      const data = run.lines[0]?.['data'] as Record<string, unknown>;
      expect(data).to.include({ code: -1002, recoverable: false, field });
      expect(String(data['error'])).to.match(message);
      expect(String(data['error'])).to.not.match(/[0-9a-f]{64}/); // never key material
    });
  }

  it('starts (ready) with a usable --key-file, so the refusals above are about the key', async () => {
    const run = await runServe(['--key-file', newKeyFile(fs.mkdtempSync(path.join(dir, 'good-')))]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.lines.map((line) => line['status'])).to.include('ready');
  });
});
