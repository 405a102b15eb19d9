import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runTool } from '../helpers/run_tool.js';
import { filesUnder, newKeyFile, plaintextFindings } from '../helpers/encrypted_trials.js';

const CLI = path.resolve('bin/cameras-usb2.js');

describe('cameras-usb2 demo --key-file', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-enc-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes only .enc files, verifies each, checks the decrypted trial frame for frame and says so', async () => {
    const keyFile = newKeyFile(fs.mkdtempSync(path.join(dir, 'keys-')));
    const out = path.join(dir, 'out');
    const run = await runTool(process.execPath, [CLI, 'demo', '--key-file', keyFile, '--out', out, '--seconds', '2', '--camera', 'synthetic:640x480@30']);
    const stdout = run.stdout.toString('utf8');
    expect(run.code, `${stdout}\n${run.stderr}`).to.equal(0);
    const files = filesUnder(out);
    expect(files.length).to.equal(3);
    expect(files.filter((file) => !file.endsWith('.enc'))).to.deep.equal([]);
    expect(plaintextFindings(out, { label: 'demo trial' })).to.deep.equal([]);
    expect(stdout.match(/verified \S+\.enc: \d+ segments authenticated/g)).to.have.length(3);
    expect(stdout).to.include('decrypted into a temp folder');
    expect(stdout).to.match(/OK: frames in file (\d+) = timing rows \1 = frames_recorded \1/);
    expect(stdout).to.include('demo OK');
  });
});
