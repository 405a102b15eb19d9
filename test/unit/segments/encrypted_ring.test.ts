import { generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import type { EncryptionOn } from '../../../src/crypto/encryption_config.js';
import { decryptBuffer, newSymmetricKey } from '../crypto/crypto_fixtures.js';
import { ModuleError } from '../../../src/errors/codes.js';
import type { FileClosed, FileOpened } from '../../../src/events/file_events.js';
import { FileLifecycle } from '../../../src/storage/file_lifecycle.js';
import { ringFilesFor, ringReadKeyFor } from '../../../src/storage/segments/ring_files.js';
import { SegmentRing } from '../../../src/storage/segments/segment_ring.js';
import { TIMING_COLUMNS } from '../../../src/storage/timing_format.js';

const FRAME_NS = 33_333_334n;
const EPOCH0_NS = BigInt(Date.now() - 60_000) * 1_000_000n;
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

/** A fake JPEG whose 600-byte body is its index over and over: found in a file only in the clear. */
function jpeg(index: number): Buffer {
  const data = Buffer.alloc(600, 0x20 + (index % 200));
  data[0] = 0xff; data[1] = 0xd8; data[598] = 0xff; data[599] = 0xd9;
  return data;
}

function frame(index: number): CapturedFrame {
  const sensor = 5_000_000_000n + BigInt(index) * FRAME_NS;
  return {
    captureIndex: index, data: jpeg(index), sensorTimestampNs: sensor,
    arrival: { monoNs: sensor + 2_000_000n, unixNs: EPOCH0_NS + sensor + 2_000_000n }, droppedBefore: 0,
  };
}

describe('SegmentRing encrypted (fake frames, real files)', function () {
  this.timeout(20_000);
  const key = newSymmetricKey();
  // Small segments, so frames of the open segment commit while it is written.
  const encryption: EncryptionOn = {
    enabled: true, key, source: { field: 'encryption.key_file', path: '/nonexistent/test.key', keyId: 'test' },
    segmentSizes: { media: 4096, text: 512 },
  };
  let dir: string;
  const rings: SegmentRing[] = [];
  const open = async (lifecycle: FileLifecycle | null = null): Promise<SegmentRing> => {
    const ring = new SegmentRing({
      dir, deviceId: 'cam-x', mode: { width: 64, height: 48, fps: 30 }, segmentSeconds: 1,
      files: ringFilesFor(encryption, lifecycle, 'synthetic:cam-x'),
    });
    rings.push(ring);
    await ring.start();
    return ring;
  };
  const feed = async (ring: SegmentRing, from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i += 1) await ring.sink(frame(i), { droppedBefore: 0 });
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ring-enc-'));
  });
  afterEach(async () => {
    for (const ring of rings.splice(0)) await ring.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes only .enc files, reads its frames back by decrypting, rebuilds its index from them, and announces each file', async () => {
    const lifecycle = new FileLifecycle();
    const opened: FileOpened[] = [];
    const closed: FileClosed[] = [];
    lifecycle.on('file_opened', (file) => opened.push(file));
    lifecycle.on('file_closed', (file) => closed.push(file));
    const ring = await open(lifecycle);
    await feed(ring, 0, 75);
    await ring.forceRotate();
    const segments = ring.list().map((segment) => ({ ...segment }));
    expect(segments.map((segment) => segment.frames)).to.deep.equal([30, 30, 15]);

    const names = await readdir(dir);
    expect(names.length).to.equal(6);
    expect(names.filter((name) => !name.endsWith('.enc'))).to.deep.equal([]);
    for (const name of names) {
      const bytes = await readFile(path.join(dir, name));
      expect(bytes.includes(EBML_MAGIC), `${name}: EBML`).to.equal(false);
      expect(bytes.includes(Buffer.from(TIMING_COLUMNS.join(','))), `${name}: CSV header`).to.equal(false);
      expect(bytes.includes(jpeg(3).subarray(2, 200)), `${name}: frame bytes`).to.equal(false);
    }
    // The files decrypt (independent stream decryptor) to Matroska and a timing CSV.
    const plainVideo = decryptBuffer(key, await readFile(segments[0]!.videoPath)).plaintext;
    expect(plainVideo.subarray(0, 4).equals(EBML_MAGIC)).to.equal(true);
    const plainTiming = decryptBuffer(key, await readFile(segments[0]!.timingPath)).plaintext.toString('utf8');
    expect(plainTiming.startsWith(TIMING_COLUMNS.join(','))).to.equal(true);

    // Frames by plaintext offset through the decrypting reader: the exact bytes given.
    const { rows, blocks } = await ring.frames(ring.list()[1]!);
    expect(rows.length).to.equal(30);
    const source = await ring.openVideo(ring.list()[1]!);
    try {
      for (const [i, block] of blocks.entries()) expect((await source.read(block.offset, block.size)).equals(jpeg(30 + i)), `frame ${30 + i}`).to.equal(true);
    } finally {
      await source.close();
    }

    for (const segment of segments) {
      expect(opened.filter((event) => event.path === segment.videoPath).map((event) => event.kind)).to.deep.equal(['segment']);
      expect(opened.filter((event) => event.path === segment.timingPath).map((event) => event.kind)).to.deep.equal(['timing']);
      const video = closed.filter((event) => event.path === segment.videoPath);
      expect(video.length).to.equal(1);
      expect(video[0]).to.deep.include({
        kind: 'segment', cameraId: 'synthetic:cam-x', trialNumber: null, frames: segment.frames,
        firstSensorTimestampNs: segment.firstPtsNs, lastSensorTimestampNs: segment.lastPtsNs,
      });
      expect(closed.filter((event) => event.path === segment.timingPath)[0]).to.deep.include({ kind: 'timing', frames: segment.frames });
    }

    await ring.stop();
    const again = await open();
    const fields = (s: (typeof segments)[number]) => [s.id, s.frames, s.firstPtsNs, s.lastPtsNs, s.firstEpochMs, s.lastEpochMs, s.offsetNs];
    expect(again.list().map(fields)).to.deep.equal(segments.map(fields));
    expect((await again.frames(again.list()[2]!)).rows.length).to.equal(15);
  });

  it('commits frames of the open segment as their encrypted bytes become durable, and only those', async () => {
    const ring = await open();
    await feed(ring, 0, 25);
    const info = ring.openInfo!;
    const deadline = Date.now() + 2000;
    while (info.frames < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // 25 frames of ~620 bytes fill three 4 KiB segments; the rest waits in the writer's buffer.
    expect(info.frames).to.be.above(0).and.below(25);
    const { rows, blocks } = await ring.frames(info);
    expect(rows.length).to.equal(info.frames);
    expect(blocks.length).to.equal(info.frames);
  });

  it('rebuilds its index from .enc files a crash left unfinished: the complete segments of each, rows the authority', async () => {
    const ring = await open();
    await feed(ring, 0, 25);
    const info = ring.openInfo!;
    const deadline = Date.now() + 2000;
    while (info.frames < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 600)); // the timing writer's flush
    // The files as a kill -9 now would leave them: no last segment in either.
    const crashed = path.join(dir, 'crashed');
    await mkdir(crashed);
    for (const file of [info.videoPath, info.timingPath]) await copyFile(file, path.join(crashed, path.basename(file)));
    const committed = info.frames;
    const after = new SegmentRing({
      dir: crashed, deviceId: 'cam-x', mode: { width: 64, height: 48, fps: 30 }, segmentSeconds: 1,
      files: ringFilesFor(encryption),
    });
    rings.push(after);
    await after.start();
    const [rebuilt] = after.list();
    expect(rebuilt, 'the unfinished segment is indexed').to.not.equal(undefined);
    expect(rebuilt!.frames).to.be.above(0).and.at.most(committed);
    const { rows, blocks } = await after.frames(rebuilt!);
    expect(rows.length).to.equal(rebuilt!.frames);
    const source = await after.openVideo(rebuilt!);
    try {
      for (const [i, block] of blocks.entries()) expect((await source.read(block.offset, block.size)).equals(jpeg(i)), `frame ${i}`).to.equal(true);
    } finally {
      await source.close();
    }
  });

  it('refuses a ring that encrypts to a recipient public key: it could never read its segments back', () => {
    const { publicKey } = generateKeyPairSync('x25519');
    const recipient = { ...encryption, key: { kind: 'recipient', publicKey } } as const;
    expect(() => ringReadKeyFor(recipient)).to.throw(ModuleError).with.property('kind', 'INVALID_PARAMS');
    expect(ringReadKeyFor({ enabled: false })).to.equal(null);
    expect(ringReadKeyFor(encryption)).to.equal(key);
  });
});
