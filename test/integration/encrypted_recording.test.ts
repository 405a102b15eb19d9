import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { locatedTools } from '../helpers/run_tool.js';
import { decodeErrors } from '../helpers/ffprobe.js';
import { decryptAll, filesUnder, newKeyFile, plaintextFindings } from '../helpers/encrypted_trials.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';
import { checkRecording } from '../../src/verify/recording_check.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { loadKeyFile } from '../../src/crypto/symmetric_key.js';
import { generateIdentityFiles, loadIdentityFile } from '../../src/crypto/x25519_keys.js';
import { verifyEncryptedFile } from '../../src/verify/decrypt_files.js';
import type { FileClosed, FileOpened } from '../../src/events/file_events.js';
import type { DecryptionKey } from '../../src/crypto/file_keys.js';

const LABEL = 'Patient Q walk test';

describe('encrypted recording through the module on real ffmpeg', function () {
  this.timeout(90_000);
  let m: LiveModule | undefined;
  let keys: string;
  let plain: string;
  beforeEach(() => {
    keys = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-keys-'));
    plain = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-decrypted-'));
  });
  afterEach(async () => {
    await m?.close();
    m = undefined;
    fs.rmSync(keys, { recursive: true, force: true });
    fs.rmSync(plain, { recursive: true, force: true });
  });

  /** Decrypts the trial's files and runs the frame-by-frame check on the plaintext. */
  async function checkDecrypted(key: DecryptionKey, stopped: { video_files: string[]; timing_path: string; metadata_path: string }): Promise<number> {
    for (const file of [...stopped.video_files, stopped.timing_path, stopped.metadata_path]) {
      expect(file.endsWith('.enc'), file).to.equal(true);
      const summary = await verifyEncryptedFile(file, key);
      expect(summary.truncation, file).to.equal(null);
    }
    const videos = await decryptAll(stopped.video_files, key, plain);
    const [timing] = await decryptAll([stopped.timing_path], key, plain);
    await decryptAll([stopped.metadata_path], key, plain);
    const { ffprobe } = await locatedTools();
    const check = await checkRecording(ffprobe, videos, timing!);
    expect(check.problems).to.deep.equal([]);
    expect(check.packets).to.equal(check.rows);
    for (const video of videos) expect(await decodeErrors(video), video).to.equal('');
    // The scanner does see plaintext: the decrypted copies are full of it.
    expect(plaintextFindings(plain, { label: LABEL }).length, 'markers in the decrypted copies').to.be.at.least(4);
    const metadata = fs.readFileSync(path.join(plain, path.basename(stopped.metadata_path, '.enc')), 'utf8');
    // The CSVs name the files as they are once decrypted.
    expect(metadata).to.include(path.basename(videos[0]!)).and.not.include('.enc');
    return check.rows;
  }

  it('writes a rotating, resumed passthrough trial and a snapshot only as .enc files, with no plaintext on disk at any moment', async () => {
    const keyFile = newKeyFile(keys);
    m = await startLiveModule({ encryption: { enabled: true, key_file: keyFile } });
    const opened: FileOpened[] = [];
    const closed: FileClosed[] = [];
    m.handle.events.on('file_opened', 'test', (file) => opened.push(file));
    m.handle.events.on('file_closed', 'test', (file) => closed.push(file));
    await m.send('apply_config', { storage: { rotation_seconds: 1 } });
    await m.send('assign_device', synthetic('synthetic:640x480@30'));
    const started = m.one(await m.send('record', { trial_number: 1, trial_label: LABEL }), 'recording_started');
    expect(started.data.video_path).to.match(/\.mkv\.enc$/);
    expect(started.data.timing_path).to.match(/_timing\.csv\.enc$/);
    expect(started.data.metadata_path).to.match(/_metadata\.csv\.enc$/);
    for (let i = 0; i < 5; i += 1) {
      await sleep(500);
      expect(plaintextFindings(m.dir, { label: LABEL }), `while recording, scan ${i + 1}`).to.deep.equal([]);
    }
    await m.send('pause');
    const snapshot = m.one(await m.send('take_snapshot'), 'snapshot_saved');
    expect(snapshot.data.path).to.match(/\.jpg\.enc$/);
    m.one(await m.send('resume_recording'), 'recording_resumed');
    await sleep(1200);
    expect(plaintextFindings(m.dir, { label: LABEL }), 'while resumed').to.deep.equal([]);
    const stopped = m.one(await m.send('pause'), 'recording_stopped');
    await m.send('stop_session');
    await m.handle.idle();

    expect(stopped.data.video_files.length, 'rotated and resumed parts').to.be.at.least(4);
    expect(stopped.data.video_files.some((file) => /_part\d+\.mkv\.enc$/.test(file)), 'a _partN file').to.equal(true);
    expect(filesUnder(m.dir).filter((file) => !file.endsWith('.enc')), 'only .enc files').to.deep.equal([]);
    expect(plaintextFindings(m.dir, { label: LABEL }), 'after the trial').to.deep.equal([]);
    for (const file of [...opened, ...closed]) expect(file.path.endsWith('.enc'), `${file.kind} ${file.path}`).to.equal(true);
    expect(closed.map((file) => file.kind)).to.include.members(['video', 'timing', 'metadata', 'snapshot']);

    const key = loadKeyFile(keyFile);
    const rows = await checkDecrypted(key, stopped.data);
    expect(rows).to.equal(stopped.data.frames_recorded);
    const timing = await readTimingCsv(path.join(plain, path.basename(stopped.data.timing_path, '.enc')));
    expect(timing.map((row) => row.frameIndex)).to.deep.equal(timing.map((_, i) => i + 1));
    const [jpeg] = await decryptAll([snapshot.data.path], key, plain);
    expect(fs.readFileSync(jpeg!).subarray(0, 3)).to.deep.equal(Buffer.from([0xff, 0xd8, 0xff]));
  });

  const transcoded: Array<[string, Record<string, unknown>, string]> = [
    ['an H.264 trial', { codec: 'h264' }, 'h264'], ['a re-encoded MJPEG trial', { codec: 'mjpeg', force_reencode: true }, 'mjpeg'],
  ];
  for (const [what, record, codec] of transcoded) it(`writes ${what} through ffmpeg into an encrypted Matroska file, every row with its frame`, async function () {
    if (codec === 'h264' && !(await pathFfmpegInfo()).capabilities.hasLibx264) this.skip();
    const keyFile = newKeyFile(keys);
    m = await startLiveModule({ encryption: { enabled: true, key_file: keyFile }, record });
    await m.send('assign_device', synthetic('synthetic:320x240@30'));
    const started = m.one(await m.send('record', { trial_number: 2, trial_label: LABEL }), 'recording_started');
    expect(started.data.video_path).to.match(/\.mkv\.enc$/);
    for (let i = 0; i < 3; i += 1) {
      await sleep(700);
      expect(plaintextFindings(m.dir, { label: LABEL }), `while recording, scan ${i + 1}`).to.deep.equal([]);
    }
    const stopped = m.one(await m.send('pause'), 'recording_stopped');
    await m.send('stop_session');
    await m.handle.idle();
    expect(plaintextFindings(m.dir, { label: LABEL })).to.deep.equal([]);
    const rows = await checkDecrypted(loadKeyFile(keyFile), stopped.data);
    expect(rows).to.equal(stopped.data.frames_recorded).and.to.be.greaterThan(30);
    const { ffprobe } = await locatedTools();
    const check = await checkRecording(ffprobe, stopped.data.video_files.map((file) => path.join(plain, path.basename(file, '.enc'))),
      path.join(plain, path.basename(stopped.data.timing_path, '.enc')));
    expect(check.files[0]?.stream.codec).to.equal(codec);
  });

  it('in public-key mode records with only the public key; the private key decrypts', async () => {
    const identity = path.join(keys, 'reader');
    const publicKey = generateIdentityFiles(identity);
    m = await startLiveModule({ encryption: { enabled: true, recipient_public_key: publicKey } });
    await m.send('assign_device', synthetic('synthetic:320x240@30'));
    m.one(await m.send('record', { trial_number: 3, trial_label: LABEL }), 'recording_started');
    await sleep(1500);
    const stopped = m.one(await m.send('pause'), 'recording_stopped');
    await m.send('stop_session');
    await m.handle.idle();
    expect(plaintextFindings(m.dir, { label: LABEL })).to.deep.equal([]);
    const rows = await checkDecrypted(loadIdentityFile(identity), stopped.data);
    expect(rows).to.equal(stopped.data.frames_recorded).and.to.be.greaterThan(20);
    // A symmetric key of the same folder cannot read it: the files hold no key of their own.
    const otherKey = loadKeyFile(newKeyFile(keys));
    let refused: unknown = null;
    await verifyEncryptedFile(stopped.data.video_files[0]!, otherKey).catch((err: unknown) => { refused = err; });
    expect(String(refused)).to.match(/wrong_key|another key/);
  });
});
