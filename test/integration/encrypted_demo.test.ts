import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli, type CliRun } from '../helpers/run_cli.js';
import { filesUnder, newKeyFile, plaintextFindings } from '../helpers/encrypted_trials.js';

describe('cameras-usb2 demo --key-file', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-enc-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes only .enc files, verifies each, checks the decrypted trial frame for frame and says so', async () => {
    const keyFile = newKeyFile(fs.mkdtempSync(path.join(dir, 'keys-')));
    const out = path.join(dir, 'out');
    // The demo's own temp folder, watched: a plaintext copy there, even one removed again, would show.
    const temp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const created: string[] = [];
    const watcher = fs.watch(temp, (_event, name) => { if (name) created.push(name); });
    let run: CliRun;
    try {
      run = await runCli(['demo', '--key-file', keyFile, '--out', out, '--seconds', '2', '--camera', 'synthetic:640x480@30'], { env: { TMPDIR: temp } });
    } finally {
      watcher.close();
    }
    const stdout = run.stdout;
    expect(run.code, `${stdout}\n${run.stderr}`).to.equal(0);
    const files = filesUnder(out);
    expect(files.length).to.equal(3);
    expect(files.filter((file) => !file.endsWith('.enc'))).to.deep.equal([]);
    expect(plaintextFindings(out, { label: 'demo trial' })).to.deep.equal([]);
    expect(stdout.match(/verified \S+\.enc: \d+ segments authenticated/g)).to.have.length(3);
    expect(stdout).to.include('no plaintext file written');
    expect(created, 'nothing was ever written into the temp folder').to.deep.equal([]);
    expect(fs.readdirSync(temp)).to.deep.equal([]);
    expect(stdout).to.match(/OK: frames in file (\d+) = timing rows \1 = frames_recorded \1/);
    expect(stdout).to.include('demo OK');
  });
});
