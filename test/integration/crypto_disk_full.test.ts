import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { EncryptedFileWriter } from '../../src/crypto/encrypted_file_writer.js';
import { ModuleError } from '../../src/errors/codes.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small_volume.js';
import { decryptBuffer, newSymmetricKey, patternedBytes } from '../unit/crypto/crypto_fixtures.js';

describe('encrypted writer on a full disk (integration, small tmpfs)', function () {
  this.timeout(30_000);
  let volume: SmallVolume | null = null;
  before(async function () {
    const mounted = await mountSmallVolume(1);
    if ('skipped' in mounted) this.skip();
    volume = mounted;
  });
  after(async () => volume?.unmount());

  it('reports the full disk, refuses later writes, and leaves every committed segment readable', async () => {
    const v = volume as SmallVolume;
    await v.fill({ leaveBytes: 200 * 1024 });
    const key = newSymmetricKey();
    const file = path.join(v.dir, 'trial.mkv.enc');
    const writer = await EncryptedFileWriter.create(file, { kind: 'video', key, ciphertextSegmentSize: 64 * 1024 });
    const plaintext = patternedBytes(1024 * 1024, 'full');
    let failure: unknown = null;
    for (let at = 0; at < plaintext.length && failure === null; at += 50_000) {
      failure = await writer.write(plaintext.subarray(at, at + 50_000)).then(() => null, (err: unknown) => err);
    }
    expect(failure).to.be.instanceOf(ModuleError);
    const error = failure as ModuleError;
    expect(error.kind).to.equal('ENCODER_FAILED');
    expect(error.message).to.match(/^Disk full/);
    expect(error.data).to.include({ diskFull: true });
    const again = await writer.write(Buffer.from('more')).then(() => null, (err: unknown) => err);
    expect(again).to.equal(error);
    const committed = writer.plaintextBytesCommitted;
    expect(committed).to.be.greaterThan(0);
    const closing = await writer.close().then(() => null, (err: unknown) => err);
    expect(closing, 'close() after a failure closes the file and reports the failure').to.equal(error);

    const { plaintext: recovered } = decryptBuffer(key, fs.readFileSync(file), { allowTruncated: true });
    expect(recovered.equals(plaintext.subarray(0, committed))).to.equal(true);
    await v.free();
  });
});
