import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runServe, type ServeRun } from '../helpers/run_cli.js';
import { newKeyFile } from '../helpers/encrypted_trials.js';

/** `cameras-usb2 serve --stdio` with these arguments and extra environment, one quit line on stdin. */
const serveOnce = (args: string[], env: Record<string, string> = {}): Promise<ServeRun> =>
  runServe('{"command":"quit"}\n', args, { CAMERAS_ENCRYPTION_KEY_FILE: '', ...env });

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
      const run = await serveOnce(args, env);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.lines.map((line) => line['status'])).to.deep.equal(['error']);
      const data = run.lines[0]?.['data'] as Record<string, unknown>;
      expect(data).to.include({ code: -1002, recoverable: false, field });
      expect(String(data['error'])).to.match(message);
      expect(String(data['error'])).to.not.match(/[0-9a-f]{64}/); // never key material
    });
  }

  it('starts (ready) with a usable --key-file, so the refusals above are about the key', async () => {
    const run = await serveOnce(['--key-file', newKeyFile(fs.mkdtempSync(path.join(dir, 'good-')))]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.lines.map((line) => line['status'])).to.include('ready');
  });
});
