import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { thrownBy } from '../../helpers/rejection.js';
import { resolveConfig } from '../../../src/config/resolve.js';
import { ENCRYPTION_KEY_FILE_VARIABLE, resolveEncryption, writerOptionsFor, type EncryptionOn } from '../../../src/crypto/encryption_config.js';
import { generateKeyFile } from '../../../src/crypto/symmetric_key.js';
import { generateIdentityFiles } from '../../../src/crypto/x25519_keys.js';
import { ModuleError } from '../../../src/errors/codes.js';

describe('crypto: encryption config', () => {
  let dir: string;
  let keyFile: string;
  let identity: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-config-'));
    keyFile = path.join(dir, 'rec.key');
    generateKeyFile(keyFile);
    identity = path.join(dir, 'reader');
    generateIdentityFiles(identity);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the schema fills the section with encryption off and the default segment sizes', () => {
    const config = resolveConfig({});
    expect(config.encryption).to.deep.equal({
      enabled: false, key_file: null, recipient_public_key: null, media_segment_bytes: 1048576, text_segment_bytes: 2048,
    });
    expect(resolveEncryption(config.encryption, {})).to.deep.equal({ enabled: false });
    expect(() => resolveConfig({ encryption: { text_segment_bytes: 10 } })).to.throw(/text_segment_bytes/);
    expect(() => resolveConfig({ encryption: { password: 'x' } })).to.throw(ModuleError);
  });

  it('loads the key file when enabled, with a public key id and per-kind segment sizes', () => {
    const config = resolveConfig({ encryption: { enabled: true, key_file: keyFile, text_segment_bytes: 4096 } });
    const settings = resolveEncryption(config.encryption, {}) as EncryptionOn;
    expect(settings.enabled).to.equal(true);
    expect(settings.source).to.include({ field: 'encryption.key_file', path: keyFile });
    expect(settings.source.keyId).to.match(/^[0-9a-f]{16}$/);
    expect(writerOptionsFor(settings, 'timing').ciphertextSegmentSize).to.equal(4096);
    expect(writerOptionsFor(settings, 'video').ciphertextSegmentSize).to.equal(1048576);
    expect(JSON.stringify(settings.source)).not.to.include(fs.readFileSync(keyFile, 'utf8').trim());
  });

  it(`${ENCRYPTION_KEY_FILE_VARIABLE} turns encryption on and replaces key_file; a bad key names the variable`, () => {
    const config = resolveConfig({});
    const settings = resolveEncryption(config.encryption, { [ENCRYPTION_KEY_FILE_VARIABLE]: keyFile }) as EncryptionOn;
    expect(settings.source.field).to.equal(ENCRYPTION_KEY_FILE_VARIABLE);
    const missing = thrownBy(() => resolveEncryption(config.encryption, { [ENCRYPTION_KEY_FILE_VARIABLE]: path.join(dir, 'nope') }));
    expect(missing.code).to.equal(-1002);
    expect(missing.field).to.equal(ENCRYPTION_KEY_FILE_VARIABLE);
    expect(missing.message).to.match(/no such file/);
    expect(resolveEncryption(config.encryption, { [ENCRYPTION_KEY_FILE_VARIABLE]: '  ' })).to.deep.equal({ enabled: false });
  });

  it('recipient mode holds only the public key', () => {
    const config = resolveConfig({ encryption: { enabled: true, recipient_public_key: `${identity}.pub` } });
    const settings = resolveEncryption(config.encryption, {}) as EncryptionOn;
    expect(settings.key.kind).to.equal('recipient');
    expect(settings.source.field).to.equal('encryption.recipient_public_key');
  });

  it('refuses to start with encryption asked for but impossible', () => {
    const none = thrownBy(() => resolveEncryption(resolveConfig({ encryption: { enabled: true } }).encryption, {}));
    expect(none.message).to.match(/no key is configured/);
    const both = thrownBy(() => resolveEncryption(resolveConfig({ encryption: { enabled: true, key_file: keyFile, recipient_public_key: `${identity}.pub` } }).encryption, {}));
    expect(both.message).to.match(/not both/);
    const open = path.join(dir, 'open.key');
    generateKeyFile(open);
    fs.chmodSync(open, 0o644);
    if (process.platform !== 'win32') {
      const readable = thrownBy(() => resolveEncryption(resolveConfig({ encryption: { enabled: true, key_file: open } }).encryption, {}));
      expect(readable.field).to.equal('encryption.key_file');
      expect(readable.message).to.match(/readable by group or others/);
    }
    const privateAsRecipient = thrownBy(() => resolveEncryption(resolveConfig({ encryption: { enabled: true, recipient_public_key: identity } }).encryption, {}));
    expect(privateAsRecipient.message).to.match(/is a private key/);
  });
});
