import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runServe } from '../helpers/run_cli.js';

describe('cameras-usb2 serve --stdio', function () {
  this.timeout(20_000);

  it('answers nope, garbage and a record without camera with three errors, then quits with 0', async () => {
    const run = await runServe(['{"command":"nope"}', 'garbage', '{"command":"record"}', '{"command":"quit"}', ''].join('\n'));
    expect(run.code).to.equal(0);
    expect(run.lines.map((l) => l['status'])).to.deep.equal(['ready', 'error', 'error', 'error', 'quitting']);
    for (const line of run.lines) expect(line['type']).to.equal('status');
    const errors = run.lines.filter((l) => l['status'] === 'error').map((l) => l['data'] as Record<string, unknown>);
    expect(errors[0]).to.include({ command: 'nope', code: -1001, field: 'command' });
    expect(String(errors[1]?.['error'])).to.include('not valid JSON');
    expect(errors[2]).to.include({ command: 'record', code: -1003, error: 'No camera assigned' });
    expect(run.stderr).to.equal('');
  });

  it('echoes command_id and shuts down cleanly at the end of stdin', async () => {
    const run = await runServe('{"command":"get_status","command_id":"g-1"}\n');
    expect(run.code).to.equal(0);
    const report = run.lines.find((l) => l['status'] === 'status_report');
    expect(report?.['command_id']).to.equal('g-1');
  });

  it('tolerates the host flags it does not know', async () => {
    const run = await runServe('{"command":"quit"}\n', ['--output-dir', '/tmp/x', '--no-console', '--platform', 'linux', '--whatever']);
    expect(run.code).to.equal(0);
    expect(run.lines.at(-1)?.['status']).to.equal('quitting');
  });
});

describe('cameras-usb2 serve --stdio refuses to start on a bad --config-path', function () {
  this.timeout(20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-badcfg-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, () => string, RegExp, string]> = [
    ['a missing file', () => path.join(dir, 'missing.json'), /missing\.json: no such file/, 'config_path'],
    ['a file that is not JSON', () => { const f = path.join(dir, 'broken.json'); fs.writeFileSync(f, '{"record": '); return f; }, /broken\.json: is not valid JSON/, 'config_path'],
    ['a config that does not validate', () => { const f = path.join(dir, 'bad.json'); fs.writeFileSync(f, '{"record": {"fps": -1}}'); return f; }, /bad\.json: invalid configuration: field 'record\.fps'/, 'record.fps'],
    ['a folder', () => dir, /is a folder/, 'config_path'],
  ];
  for (const [what, file, message, field] of cases) {
    it(`answers ${what} with one error naming the file, no ready, and exit code 2`, async () => {
      const run = await runServe('{"command":"get_status"}\n', ['--config-path', file()]);
      expect(run.code).to.equal(2);
      expect(run.lines).to.have.length(1);
      const [status] = run.lines;
      expect(status?.['status']).to.equal('error');
      const data = status?.['data'] as Record<string, unknown>;
      expect(data).to.include({ code: -1002, recoverable: false, field });
      expect(String(data['error'])).to.match(message);
    });
  }
});
