import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { decodeErrors, probeFile } from '../helpers/ffprobe.js';
import { decryptAll, filesUnder, newKeyFile, plaintextFindings } from '../helpers/encrypted_trials.js';
import { loadKeyFile } from '../../src/crypto/symmetric_key.js';
import { verifyEncryptedFile } from '../../src/verify/decrypt_files.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import type { FileClosed, FileOpened } from '../../src/events/file_events.js';
import { ReferenceHost } from '../../src/host/reference_host.js';
import { generateIdentityFiles } from '../../src/crypto/x25519_keys.js';

interface SegmentJson {
  readonly id: string;
  readonly open: boolean;
  readonly first_pts_ns: string;
  readonly last_pts_ns: string;
  readonly frames: number;
  readonly video_path: string;
  readonly timing_path: string;
}

/** Markers no ring or clip file may show in the clear (the label is never written by the ring). */
const MARKERS = { label: 'no label in ring files' };

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  expect(response.status, url).to.equal(200);
  return await response.json() as T;
}

async function segmentsOf(url: string): Promise<SegmentJson[]> {
  return (await getJson<{ segments: SegmentJson[] }>(`${url}/segments`)).segments;
}

/** Nothing but .enc files in the folder, and none of them shows a JPEG, EBML or CSV header in the clear. */
function expectOnlyCiphertext(dir: string, when: string): void {
  if (!fs.existsSync(dir)) return;
  const files = filesUnder(dir);
  expect(files.filter((file) => !file.endsWith('.enc')), `${when}: plaintext-named files in ${dir}`).to.deep.equal([]);
  expect(plaintextFindings(dir, MARKERS), `${when}: plaintext in ${dir}`).to.deep.equal([]);
}

describe('encrypted segment ring and clips through the module on real ffmpeg', function () {
  this.timeout(120_000);
  let m: LiveModule | undefined;
  let keys: string;
  let plain: string;
  beforeEach(() => {
    keys = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-ring-keys-'));
    plain = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-ring-plain-'));
  });
  afterEach(async () => {
    await m?.close();
    m = undefined;
    fs.rmSync(keys, { recursive: true, force: true });
    fs.rmSync(plain, { recursive: true, force: true });
  });

  it('writes segments and clips only as .enc, rebuilds its index from them after a restart, and cuts a frame-exact clip across a boundary', async () => {
    const keyFile = newKeyFile(keys);
    const key = loadKeyFile(keyFile, 'key');
    m = await startLiveModule({
      encryption: { enabled: true, key_file: keyFile },
      http: { enabled: true }, segments: { enabled: true, segment_seconds: 2 },
    });
    const opened: FileOpened[] = [];
    const closed: FileClosed[] = [];
    m.handle.events.on('file_opened', 'test', (file) => opened.push(file));
    m.handle.events.on('file_closed', 'test', (file) => closed.push(file));
    const url = m.handle.runtime.httpUrl as string;
    const segmentsDir = path.join(m.dir, 'segments');
    const clipsDir = path.join(m.dir, 'clips');

    m.one(await m.send('assign_device', synthetic('synthetic:320x240@30')), 'device_ready');
    let openCommitted = 0;
    for (let i = 0; i < 12; i += 1) {
      await sleep(1000);
      expectOnlyCiphertext(segmentsDir, `recording, second ${i + 1}`);
      const open = (await segmentsOf(url)).find((segment) => segment.open);
      if (open !== undefined) openCommitted += 1;
    }
    const before = await segmentsOf(url);
    expect(before.length, 'segments after ~12 s of 2 s segments').to.be.at.least(5);
    for (const segment of before) {
      expect(segment.video_path, segment.id).to.match(/\.mkv\.enc$/);
      expect(segment.timing_path, segment.id).to.match(/_timing\.csv\.enc$/);
    }
    // Frames of the open segment commit once their encrypted bytes are durable, before it is sealed.
    expect(openCommitted, 'seconds at which the open segment had committed frames').to.be.at.least(4);

    // Restart: the camera goes and comes back; the new ring rebuilds its index from the .enc files.
    await m.send('unassign_device');
    await sleep(300);
    const sealed = before.filter((segment) => !segment.open);
    m.one(await m.send('assign_device', synthetic('synthetic:320x240@30')), 'device_ready');
    await sleep(300);
    const rebuilt = await segmentsOf(url);
    for (const segment of sealed) {
      const again = rebuilt.find((entry) => entry.id === segment.id);
      expect(again, `${segment.id} rebuilt from its .enc files`).to.not.equal(undefined);
      expect({ frames: again!.frames, first: again!.first_pts_ns, last: again!.last_pts_ns })
        .to.deep.equal({ frames: segment.frames, first: segment.first_pts_ns, last: segment.last_pts_ns });
    }

    // A clip by pts across the boundary between the second and third segments.
    const boundary = BigInt(sealed[2]!.first_pts_ns);
    const start = boundary - 700_000_000n;
    const stop = boundary + 700_000_000n;
    const response = await fetch(`${url}/clip`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ start_pts_ns: start.toString(), stop_pts_ns: stop.toString() }),
    });
    expect(response.status).to.equal(202);
    const accepted = await response.json() as { clip_id: string };
    let status: { status: string; clip: { path: string; timing_path: string; frames: number; message: string | null } };
    for (;;) {
      status = await getJson(`${url}/clip/${accepted.clip_id}`);
      if (status.status === 'done' || status.status === 'error') break;
      expectOnlyCiphertext(clipsDir, 'while the clip is cut');
      await sleep(50);
    }
    expect(status.status, String(status.clip.message)).to.equal('done');
    expect(status.clip.path).to.match(/\.mp4\.enc$/);
    expect(status.clip.timing_path).to.match(/_timing\.csv\.enc$/);
    expectOnlyCiphertext(clipsDir, 'after the clip');
    expectOnlyCiphertext(segmentsDir, 'after the clip');

    // What the ring holds in the window, from the two segments decrypted independently (stream decryptor).
    const expected: Array<{ sensorNs: bigint; size: number }> = [];
    for (const segment of sealed.slice(1, 3)) {
      expect((await verifyEncryptedFile(segment.video_path, key)).truncation, segment.id).to.equal(null);
      const [video, timing] = await decryptAll([segment.video_path, segment.timing_path], key, plain);
      const packets = (await probeFile(video!)).packets;
      const rows = await readTimingCsv(timing!);
      rows.forEach((row, i) => {
        if (row.sensorTimestampNs >= start && row.sensorTimestampNs <= stop) expected.push({ sensorNs: row.sensorTimestampNs, size: packets[i]!.size });
      });
    }
    expect(expected.length, 'frames in the window').to.be.within(35, 50);

    const [clipVideo, clipTiming] = await decryptAll([status.clip.path, status.clip.timing_path], key, path.join(plain, 'clip'));
    const probe = await probeFile(clipVideo!);
    const rows = await readTimingCsv(clipTiming!);
    expect(probe.streams[0]!.codecName).to.equal('mjpeg');
    expect(probe.packets.length, 'packets = frames in the window').to.equal(expected.length);
    expect(status.clip.frames).to.equal(expected.length);
    expect(rows.map((row) => row.sensorTimestampNs)).to.deep.equal(expected.map((frame) => frame.sensorNs));
    expect(probe.packets.map((packet) => packet.size)).to.deep.equal(expected.map((frame) => frame.size));
    expect(probe.packets.map((packet) => packet.pts)).to.deep.equal(rows.map((row) => row.videoPts));
    expect(await decodeErrors(clipVideo!)).to.equal('');

    // Every segment and clip file announced opened and closed on the module bus, with its frames.
    await m.send('unassign_device');
    await sleep(300);
    const closedOf = (file: string): FileClosed | undefined => closed.find((event) => event.path === file);
    for (const segment of before) {
      expect(opened.find((event) => event.path === segment.video_path)?.kind, segment.video_path).to.equal('segment');
      expect(opened.find((event) => event.path === segment.timing_path)?.kind, segment.timing_path).to.equal('timing');
      const video = closedOf(segment.video_path);
      expect(video?.kind).to.equal('segment');
      expect(video?.frames).to.be.at.least(segment.frames);
      expect(video?.bytes).to.equal(fs.statSync(segment.video_path).size);
      expect(closedOf(segment.timing_path)?.frames).to.equal(video?.frames);
    }
    const sealedFirst = closedOf(sealed[0]!.video_path)!;
    expect({ frames: sealedFirst.frames, first: sealedFirst.firstSensorTimestampNs, last: sealedFirst.lastSensorTimestampNs })
      .to.deep.equal({ frames: sealed[0]!.frames, first: BigInt(sealed[0]!.first_pts_ns), last: BigInt(sealed[0]!.last_pts_ns) });
    expect(opened.find((event) => event.path === status.clip.path)?.kind).to.equal('clip');
    const clipClosed = closedOf(status.clip.path)!;
    expect(clipClosed.kind).to.equal('clip');
    expect(clipClosed.frames).to.equal(expected.length);
    expect(clipClosed.firstSensorTimestampNs).to.equal(expected[0]!.sensorNs);
    expect(clipClosed.lastSensorTimestampNs).to.equal(expected.at(-1)!.sensorNs);
    expect(clipClosed.bytes).to.equal(fs.statSync(status.clip.path).size);
    expect(closedOf(status.clip.timing_path)?.kind).to.equal('timing');
    expect(closed.every((event) => event.cameraId !== null && event.trialNumber === null)).to.equal(true);
  });

  it('refuses to start (an error naming segments.enabled, no ready) with the ring on and only a recipient public key', async () => {
    const publicKey = generateIdentityFiles(path.join(keys, 'reader'));
    const host = new ReferenceHost({
      config: {
        storage: { base_path: plain }, segments: { enabled: true },
        encryption: { enabled: true, recipient_public_key: publicKey },
      },
    });
    const started = await host.start().then(() => 'started', (err: unknown) => String(err));
    expect(started).to.match(/segments/);
    expect(host.statuses.some((s) => s.status === 'ready')).to.equal(false);
    const error = host.statuses.find((s) => s.status === 'error');
    expect(error?.status === 'error' && error.data).to.include({ code: -1002 });
    await host.stop();
    expect(filesUnder(plain).filter((file) => file.includes('segments'))).to.deep.equal([]);
  });
});
