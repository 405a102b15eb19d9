import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { thrownBy } from '../../helpers/rejection.js';
import { CiphertextError } from '../../../src/crypto/ciphertext_error.js';
import { generateKeyFile, loadKeyFile } from '../../../src/crypto/symmetric_key.js';
import { generateIdentityFiles, loadIdentityFile, loadRecipientFile } from '../../../src/crypto/x25519_keys.js';
import { decryptBuffer, encryptToBuffer, patternedBytes } from './crypto_fixtures.js';

describe('crypto: key files', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-keys-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keygen writes a random 256-bit key, mode 0600, and never overwrites', () => {
    const a = path.join(dir, 'a.key');
    const b = path.join(dir, 'b.key');
    generateKeyFile(a);
    generateKeyFile(b);
    if (process.platform !== 'win32') expect(fs.statSync(a).mode & 0o777).to.equal(0o600);
    expect(fs.readFileSync(a, 'utf8')).to.match(/^[0-9a-f]{64}\n$/);
    expect(loadKeyFile(a).key.equals(loadKeyFile(b).key)).to.equal(false);
    const before = fs.readFileSync(a);
    const error = thrownBy(() => generateKeyFile(a));
    expect(error.kind).to.equal('INVALID_PARAMS');
    expect(error.message).to.match(/already exists/);
    expect(fs.readFileSync(a).equals(before)).to.equal(true);
  });

  it('refuses a key file that group or others can read, saying how to fix it', function () {
    if (process.platform === 'win32') this.skip();
    const file = path.join(dir, 'open.key');
    generateKeyFile(file);
    for (const mode of [0o640, 0o604, 0o644]) {
      fs.chmodSync(file, mode);
      const error = thrownBy(() => loadKeyFile(file));
      expect(error.code).to.equal(-1002);
      expect(error.message).to.match(/readable by group or others/).and.match(/chmod 600/);
    }
    fs.chmodSync(file, 0o400);
    expect(loadKeyFile(file).key).to.have.length(32);
  });

  it('names a missing or malformed key file without echoing its content', () => {
    expect(thrownBy(() => loadKeyFile(path.join(dir, 'none.key'))).message).to.match(/no such file/);
    const bad = path.join(dir, 'bad.key');
    fs.writeFileSync(bad, 'secretsecretsecret\n', { mode: 0o600 });
    const error = thrownBy(() => loadKeyFile(bad));
    expect(error.message).to.match(/64 hex digits/);
    expect(error.message).not.to.include('secretsecret');
  });

  describe('checks before reading a key file', () => {
    const posix = function (this: Mocha.Context) { if (process.platform === 'win32') this.skip(); };

    it('refuses a key file of another user, but accepts one of root', function () {
      posix.call(this);
      if (process.getuid?.() !== 0) this.skip(); // chown needs root
      const file = path.join(dir, 'theirs.key');
      generateKeyFile(file);
      fs.chownSync(file, 65534, 65534);
      const error = thrownBy(() => loadKeyFile(file, 'key-file'));
      expect(error.code).to.equal(-1002);
      expect(error.field).to.equal('key-file');
      expect(error.message).to.match(/belongs to another user \(uid 65534\)/);
      fs.chownSync(file, 0, 0);
      expect(loadKeyFile(file).key).to.have.length(32);
      const me = path.join(dir, 'me');
      generateIdentityFiles(me);
      fs.chownSync(`${me}.pub`, 65534, 65534);
      expect(thrownBy(() => loadRecipientFile(`${me}.pub`)).message).to.match(/belongs to another user/);
    });

    it('refuses a key in a folder anyone may write to, unless the folder has the sticky bit', function () {
      posix.call(this);
      const open = path.join(dir, 'open');
      fs.mkdirSync(open);
      const file = path.join(open, 'k.key');
      generateKeyFile(file);
      fs.chmodSync(open, 0o777);
      expect(thrownBy(() => loadKeyFile(file)).message).to.match(/any user may write to .*no sticky bit/);
      fs.chmodSync(open, 0o1777);
      expect(loadKeyFile(file).key).to.have.length(32);
    });

    it('refuses a symlink, a folder and a named pipe without waiting for a writer', function () {
      posix.call(this);
      const file = path.join(dir, 'real.key');
      generateKeyFile(file);
      fs.symlinkSync(file, path.join(dir, 'link.key'));
      expect(thrownBy(() => loadKeyFile(path.join(dir, 'link.key'))).message).to.match(/symbolic link/);
      expect(thrownBy(() => loadKeyFile(dir)).message).to.match(/not a regular file \(a folder\)/);
      const fifo = path.join(dir, 'pipe.key');
      execFileSync('mkfifo', ['-m', '600', fifo]);
      // In a child with a deadline: a load that waits for a writer must fail this test, not hang the run.
      const module = new URL('../../../src/crypto/symmetric_key.js', import.meta.url).href;
      const script = `import { loadKeyFile } from ${JSON.stringify(module)};
        try { loadKeyFile(${JSON.stringify(fifo)}); console.log('loaded'); } catch (err) { console.log(err.message); }`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
      expect(run.signal, 'the load waited for a writer').to.equal(null);
      expect(run.stdout).to.match(/not a regular file \(a named pipe\)/);
    });

    it('refuses a 1 GB file from its size, without reading it', function () {
      posix.call(this);
      const big = path.join(dir, 'big.key');
      fs.closeSync(fs.openSync(big, 'wx', 0o600));
      fs.truncateSync(big, 1 << 30); // sparse: costs no disk
      const error = thrownBy(() => loadKeyFile(big));
      expect(error.message).to.match(/is 1073741824 bytes; a key file has at most 8192/);
      expect(thrownBy(() => loadIdentityFile(big)).message).to.match(/1073741824 bytes/);
    });
  });

  it('X25519: the recorder needs only the public key; the identity decrypts, another identity cannot', () => {
    const me = path.join(dir, 'me');
    const other = path.join(dir, 'other');
    expect(generateIdentityFiles(me)).to.equal(`${me}.pub`);
    generateIdentityFiles(other);
    if (process.platform !== 'win32') expect(fs.statSync(me).mode & 0o777).to.equal(0o600);
    expect(fs.readFileSync(`${me}.pub`, 'utf8')).to.match(/BEGIN PUBLIC KEY/);

    const plaintext = patternedBytes(5000);
    const file = encryptToBuffer(loadRecipientFile(`${me}.pub`), plaintext, 512, 100);
    expect(file.readUInt16BE(22)).to.equal(92);
    expect(file[9]).to.equal(2);
    expect(decryptBuffer(loadIdentityFile(me), file).plaintext.equals(plaintext)).to.equal(true);

    const wrong = thrownBy(() => decryptBuffer(loadIdentityFile(other), file));
    expect(wrong).to.be.instanceOf(CiphertextError);
    expect((wrong as CiphertextError).reason).to.equal('wrong_key');
  });

  it('X25519: every file gets its own content key and ephemeral key', () => {
    const me = path.join(dir, 'me');
    generateIdentityFiles(me);
    const recipient = loadRecipientFile(`${me}.pub`);
    const a = encryptToBuffer(recipient, Buffer.from('same'), 512);
    const b = encryptToBuffer(recipient, Buffer.from('same'), 512);
    expect(a.subarray(24, 116).equals(b.subarray(24, 116))).to.equal(false);
  });

  it('X25519: a modified wrapped key is reported, not mistaken for a wrong identity', () => {
    const me = path.join(dir, 'me');
    generateIdentityFiles(me);
    const file = encryptToBuffer(loadRecipientFile(`${me}.pub`), Buffer.from('data'), 512);
    file[24 + 40] ^= 1; // inside the sealed content key
    const error = thrownBy(() => decryptBuffer(loadIdentityFile(me), file));
    expect(error).to.include({ reason: 'tag_mismatch', segment: null, offset: 24 });
  });

  it('refuses a private key given as recipient, and a key of another type', () => {
    const me = path.join(dir, 'me');
    generateIdentityFiles(me);
    expect(thrownBy(() => loadRecipientFile(me)).message).to.match(/is a private key/);
    const keyFile = path.join(dir, 'sym.key');
    generateKeyFile(keyFile);
    expect(thrownBy(() => loadIdentityFile(keyFile)).message).to.match(/PEM private key/);
    fs.chmodSync(me, 0o644);
    if (process.platform !== 'win32') expect(thrownBy(() => loadIdentityFile(me)).message).to.match(/readable by group or others/);
  });

  it('a symmetric key cannot open a recipient file and vice versa, with a hint', () => {
    const me = path.join(dir, 'me');
    generateIdentityFiles(me);
    const keyFile = path.join(dir, 'sym.key');
    generateKeyFile(keyFile);
    const forRecipient = encryptToBuffer(loadRecipientFile(`${me}.pub`), Buffer.from('x'), 512);
    expect(thrownBy(() => decryptBuffer(loadKeyFile(keyFile), forRecipient)).message).to.match(/--identity/);
    const forKey = encryptToBuffer(loadKeyFile(keyFile), Buffer.from('x'), 512);
    expect(thrownBy(() => decryptBuffer(loadIdentityFile(me), forKey)).message).to.match(/--key-file/);
  });
});
