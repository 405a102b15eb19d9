import { execFileSync, spawnSync } from 'node:child_process';
import { scryptSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { rejectionOf, thrownBy } from '../../helpers/rejection.js';
import { resolveEncryption, type EncryptionOn } from '../../../src/crypto/encryption_config.js';
import { keyId } from '../../../src/crypto/key_id.js';
import { PassphraseRequired, PASSPHRASE_VARIABLE } from '../../../src/crypto/passphrase_kdf.js';
import { generatePassphraseKeyFile, loadKeyFile } from '../../../src/crypto/symmetric_key.js';
import { generateIdentityFiles, loadIdentityFile, loadRecipientFile } from '../../../src/crypto/x25519_keys.js';
import { PassphraseSource } from '../../../src/cli/passphrase_source.js';
import { decryptBuffer, encryptToBuffer, patternedBytes } from './crypto_fixtures.js';

const PASSPHRASE = 'correct horse battery staple';

describe('crypto: keys protected by a passphrase', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-pass-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const at = (name: string) => path.join(dir, name);

  describe('symmetric: a key file of scrypt parameters and salt', () => {
    it('holds no key; the key is scrypt(UTF-8 NFC passphrase, salt, N, r, p, 32) as documented, with a stable key id', () => {
      const file = at('rec.key');
      const id = generatePassphraseKeyFile(file, PASSPHRASE);
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(Object.keys(stored).sort()).to.deep.equal(['N', 'kdf', 'key_id', 'p', 'r', 'salt', 'type', 'version']);
      expect(stored).to.include({ type: 'cameras-usb2 passphrase key', version: 1, kdf: 'scrypt', N: 32768, r: 8, p: 1, key_id: id });
      // Derived the way the encryption guide tells another implementation to.
      const expected = scryptSync(Buffer.from(PASSPHRASE, 'utf8'), Buffer.from(stored['salt'] as string, 'hex'), 32, { N: 32768, r: 8, p: 1, maxmem: 64 << 20 });
      expect(fs.readFileSync(file, 'utf8')).not.to.include(expected.toString('hex'));
      const key = loadKeyFile(file, 'key_file', PASSPHRASE);
      expect(key.key.equals(expected)).to.equal(true);
      expect(keyId(key.key).toString('hex')).to.equal(id);
      expect(loadKeyFile(file, 'key_file', PASSPHRASE).key.equals(key.key), 'same passphrase and salt, same key').to.equal(true);
    });

    it('says "wrong passphrase" for a wrong one, and asks for one when none is given', () => {
      const file = at('rec.key');
      generatePassphraseKeyFile(file, PASSPHRASE);
      const wrong = thrownBy(() => loadKeyFile(file, 'key-file', 'correct horse battery stapler'));
      expect(wrong.code).to.equal(-1002);
      expect(wrong.message).to.equal(`wrong passphrase for ${file}`);
      const none = thrownBy(() => loadKeyFile(file, 'key-file'));
      expect(none).to.be.instanceOf(PassphraseRequired);
      expect(none.message).to.include('--passphrase-file').and.include(PASSPHRASE_VARIABLE);
    });

    it('a passphrase typed in another Unicode normalization derives the same key', () => {
      const file = at('rec.key');
      generatePassphraseKeyFile(file, 'caf\u00e9 au lait');
      expect(loadKeyFile(file, 'k', 'cafe\u0301 au lait').key.equals(loadKeyFile(file, 'k', 'caf\u00e9 au lait').key)).to.equal(true);
    });

    it('refuses a key file with weakened, huge or unknown parameters without deriving anything', () => {
      const file = at('rec.key');
      generatePassphraseKeyFile(file, PASSPHRASE);
      const good = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const patch of [{ N: 1024 }, { N: 2 ** 24 }, { N: 30000 }, { r: 64 }, { kdf: 'pbkdf2' }, { extra: 1 }, { salt: 'zz' }, { version: 2 }]) {
        fs.writeFileSync(file, JSON.stringify({ ...good, ...patch }), { mode: 0o600 });
        const error = thrownBy(() => loadKeyFile(file, 'k', PASSPHRASE));
        expect(error.message, JSON.stringify(patch)).to.match(/not a usable passphrase key file/);
      }
    });

    it('resolveEncryption derives the key from the given passphrase, else from CAMERAS_USB2_PASSPHRASE, else refuses', () => {
      const file = at('rec.key');
      const id = generatePassphraseKeyFile(file, PASSPHRASE);
      const section = { enabled: true, key_file: file };
      expect((resolveEncryption(section, {}, PASSPHRASE) as EncryptionOn).source.keyId).to.equal(id);
      expect((resolveEncryption(section, { [PASSPHRASE_VARIABLE]: PASSPHRASE }) as EncryptionOn).source.keyId).to.equal(id);
      expect(thrownBy(() => resolveEncryption(section, {}))).to.be.instanceOf(PassphraseRequired);
      expect(thrownBy(() => resolveEncryption(section, {}, 'not it at all')).message).to.match(/wrong passphrase/);
    });
  });

  describe('X25519: an encrypted PKCS#8 private key', () => {
    it('is ENCRYPTED PRIVATE KEY PEM that openssl pkey opens with the passphrase; the key decrypts, the .pub stays plain', function () {
      if (spawnSync('openssl', ['version']).status !== 0) this.skip(); // the openssl command line tool is what this checks against
      const me = at('me');
      generateIdentityFiles(me, PASSPHRASE);
      const pem = fs.readFileSync(me, 'utf8');
      expect(pem).to.match(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
      const passFile = at('pass');
      fs.writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
      const fromOpenssl = execFileSync('openssl', ['pkey', '-in', me, '-passin', `file:${passFile}`, '-pubout'], { encoding: 'utf8' });
      expect(fromOpenssl).to.equal(fs.readFileSync(`${me}.pub`, 'utf8'));
      const plaintext = patternedBytes(3000);
      const file = encryptToBuffer(loadRecipientFile(`${me}.pub`), plaintext, 512);
      expect(decryptBuffer(loadIdentityFile(me, 'identity', PASSPHRASE), file).plaintext.equals(plaintext)).to.equal(true);
    });

    it('a wrong passphrase is "wrong passphrase"; none asks for one', () => {
      const me = at('me');
      generateIdentityFiles(me, PASSPHRASE);
      expect(thrownBy(() => loadIdentityFile(me, 'identity', 'something else')).message).to.equal(`wrong passphrase for ${me}`);
      expect(thrownBy(() => loadIdentityFile(me, 'identity'))).to.be.instanceOf(PassphraseRequired);
    });
  });

  describe('where the passphrase comes from', () => {
    it('a passphrase file gives its first line without the newline (LF or CRLF)', async () => {
      for (const [content, expected] of [[`${PASSPHRASE}\n`, PASSPHRASE], [`${PASSPHRASE}\r\nsecond line\n`, PASSPHRASE], [' spaced out ', ' spaced out ']]) {
        const file = at('pass');
        fs.rmSync(file, { force: true });
        fs.writeFileSync(file, content as string, { mode: 0o600 });
        expect(await new PassphraseSource({ file, env: {} }).forKey('k', 'key')).to.equal(expected);
      }
    });

    it('a passphrase file is checked like a key file and must not be empty', async () => {
      const file = at('pass');
      fs.writeFileSync(file, `${PASSPHRASE}\n`, { mode: 0o644 });
      expect((await rejectionOf(new PassphraseSource({ file, env: {} }).forKey('k', 'key'))).message).to.match(/readable by group or others/);
      fs.chmodSync(file, 0o600);
      fs.writeFileSync(file, '\nlater\n');
      expect((await rejectionOf(new PassphraseSource({ file, env: {} }).forKey('k', 'key'))).message).to.match(/is empty/);
    });

    it('takes CAMERAS_USB2_PASSPHRASE out of the environment it reads (child processes never inherit it); the file wins', async () => {
      const env: NodeJS.ProcessEnv = { [PASSPHRASE_VARIABLE]: 'from the environment', OTHER: 'x' };
      const source = new PassphraseSource({ env });
      expect(env).to.deep.equal({ OTHER: 'x' });
      expect(await source.forKey('k', 'key')).to.equal('from the environment');
      const file = at('pass');
      fs.writeFileSync(file, 'from the file\n', { mode: 0o600 });
      expect(await new PassphraseSource({ file, env: { [PASSPHRASE_VARIABLE]: 'from the environment' } }).forKey('k', 'key')).to.equal('from the file');
    });

    it('without a file, a variable or a terminal: PassphraseRequired for a key, a clear error for a new key; short new ones refused', async () => {
      const source = new PassphraseSource({ env: {}, terminal: null });
      expect(await rejectionOf(source.forKey('/keys/k', 'key-file'))).to.be.instanceOf(PassphraseRequired);
      expect((await rejectionOf(source.forNewKey('/keys/k'))).message).to.match(/a passphrase for \/keys\/k is needed/);
      expect((await rejectionOf(new PassphraseSource({ env: { [PASSPHRASE_VARIABLE]: 'short' } }).forNewKey('k'))).message).to.match(/at least 8 characters/);
    });
  });
});
