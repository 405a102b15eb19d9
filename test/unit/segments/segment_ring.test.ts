import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import type { DiskReading } from '../../../src/storage/disk_guard.js';
import { readTimingCsv } from '../../../src/storage/timing_reader.js';
import { SegmentRing, type SegmentRingOptions } from '../../../src/storage/segments/segment_ring.js';
import { MatroskaBlockScanner } from '../../../src/storage/segments/mkv_blocks.js';
import { TimebaseEstimator } from '../../../src/storage/segments/timebase.js';

const FRAME_NS = 33_333_334n;
const EPOCH0_NS = BigInt(Date.now() - 60_000) * 1_000_000n;

/** A fake JPEG of `size` bytes whose body encodes its index. */
function jpeg(index: number, size = 600): Buffer {
  const data = Buffer.alloc(size, index % 251);
  data[0] = 0xff; data[1] = 0xd8; data[size - 2] = 0xff; data[size - 1] = 0xd9;
  return data;
}

function frame(index: number, options: { latencyNs?: bigint; droppedBefore?: number; baseNs?: bigint } = {}): CapturedFrame {
  const sensor = (options.baseNs ?? 5_000_000_000n) + BigInt(index) * FRAME_NS;
  const latency = options.latencyNs ?? 2_000_000n;
  return {
    captureIndex: index, data: jpeg(index), sensorTimestampNs: sensor,
    arrival: { monoNs: sensor + latency, unixNs: EPOCH0_NS + sensor + latency },
    droppedBefore: options.droppedBefore ?? 0,
  };
}

async function feed(ring: SegmentRing, frames: readonly CapturedFrame[], hubDropped = 0): Promise<void> {
  for (const f of frames) await ring.sink(f, { droppedBefore: hubDropped });
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('SegmentRing (fake frames, real files)', function () {
  this.timeout(20_000);
  let dir: string;
  const rings: SegmentRing[] = [];
  const open = async (options: Partial<SegmentRingOptions> = {}): Promise<SegmentRing> => {
    const ring = new SegmentRing({ dir, deviceId: 'cam-x', mode: { width: 64, height: 48, fps: 30 }, segmentSeconds: 1, ...options });
    rings.push(ring);
    await ring.start();
    return ring;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ring-unit-'));
  });

  afterEach(async () => {
    for (const ring of rings.splice(0)) await ring.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates by sensor time into segments named by their first arrival, each with matching timing rows', async () => {
    const ring = await open();
    await feed(ring, range(0, 75).map((i) => frame(i)));
    await ring.forceRotate();
    const segments = ring.list();
    expect(segments.map((s) => s.frames)).to.deep.equal([30, 30, 15]);
    expect(segments.every((s) => !s.open)).to.equal(true);
    expect(segments[0]!.id).to.match(/^seg_\d{8}T\d{6}\.\d{3}Z$/);
    expect(segments[1]!.firstPtsNs).to.equal(frame(30).sensorTimestampNs);
    for (const segment of segments) {
      const rows = await readTimingCsv(segment.timingPath);
      expect(rows.length).to.equal(segment.frames);
      expect(rows[0]!.sensorTimestampNs).to.equal(segment.firstPtsNs);
      expect(rows.at(-1)!.sensorTimestampNs).to.equal(segment.lastPtsNs);
      expect(rows.map((row) => row.frameIndex)).to.deep.equal(range(1, rows.length + 1));
      expect(rows[0]!.deviceId).to.equal('cam-x');
      const scanner = new MatroskaBlockScanner(segment.videoPath);
      expect(await scanner.scan()).to.equal(segment.frames);
      expect(scanner.blocks.map((b) => b.timeMs)).to.deep.equal(rows.map((row) => row.videoPts));
    }
    expect(segments[0]!.firstEpochMs).to.equal(Number((EPOCH0_NS + frame(0).sensorTimestampNs + 2_000_000n) / 1000n) / 1000);
  });

  it('reads back exactly the committed frames of the open segment, bytes included', async () => {
    const ring = await open({ segmentSeconds: 10 });
    await feed(ring, range(0, 20).map((i) => frame(i)));
    const info = ring.openInfo!;
    const deadline = Date.now() + 2000;
    while (info.frames < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const { rows, blocks } = await ring.frames(info);
    expect(rows.length).to.equal(20);
    expect(blocks.map((b) => b.size)).to.deep.equal(rows.map(() => 600));
    expect(info.open).to.equal(true);
  });

  it('rebuilds its index from the files at start', async () => {
    const first = await open();
    await feed(first, range(0, 45).map((i) => frame(i)));
    await first.stop();
    const before = first.list().map((s) => ({ ...s }));
    const again = await open();
    const fields = (s: (typeof before)[number]) => [s.id, s.frames, s.firstPtsNs, s.lastPtsNs, s.firstEpochMs, s.lastEpochMs, s.bytes, s.offsetNs];
    expect(again.list().map(fields)).to.deep.equal(before.map(fields));
    expect(again.list().map((s) => [s.id, s.frames, s.firstPtsNs, s.lastPtsNs, s.bytes, s.offsetNs]))
      .to.deep.equal(before.map((s) => [s.id, s.frames, s.firstPtsNs, s.lastPtsNs, s.bytes, s.offsetNs]));
  });

  it('writes frames the hub or the source lost into dropped_before', async () => {
    const ring = await open();
    await ring.sink(frame(0), { droppedBefore: 0 });
    await ring.sink(frame(3, { droppedBefore: 2 }), { droppedBefore: 1 });
    await ring.forceRotate();
    const rows = await readTimingCsv(ring.list()[0]!.timingPath);
    expect(rows.map((row) => row.droppedBefore)).to.deep.equal([0, 3]);
  });

  it('retention deletes the oldest by bytes, but never a held segment until it is released', async () => {
    const ring = await open();
    await feed(ring, range(0, 120).map((i) => frame(i)));
    await ring.forceRotate();
    const [oldest, second] = ring.list();
    const release = ring.acquire([oldest!.id]);
    await ring.setRetention({ retainMaxBytes: oldest!.bytes - 1 });
    // The held oldest stays; the next oldest goes instead.
    expect(ring.list().map((s) => s.id)).to.include(oldest!.id);
    expect(ring.list().map((s) => s.id)).to.not.include(second!.id);
    expect(existsSync(second!.videoPath)).to.equal(false);
    release();
    await ring.applyRetention();
    expect(ring.list().map((s) => s.id)).to.not.include(oldest!.id);
    expect(existsSync(oldest!.videoPath)).to.equal(false);
    expect(existsSync(oldest!.timingPath)).to.equal(false);
  });

  it('retention deletes segments older than retain_minutes', async () => {
    let now = Number((EPOCH0_NS + 10_000_000_000n) / 1_000_000n);
    const ring = await open({ retainMinutes: 1, now: () => now });
    await feed(ring, range(0, 60).map((i) => frame(i)));
    await ring.forceRotate();
    expect(ring.list().length).to.equal(2);
    now = Number(EPOCH0_NS / 1_000_000n) + 66_500; // the first segment's last frame is now older than a minute, the second's not
    await ring.applyRetention();
    expect(ring.list().length).to.equal(1);
    expect(ring.list()[0]!.firstPtsNs).to.equal(frame(30).sensorTimestampNs);
  });

  it('pauses cleanly when storage is critical and resumes once it is not', async () => {
    let level: DiskReading['level'] = 'ok';
    const reading = (): DiskReading => ({
      totalBytes: 100, availableBytes: level === 'critical' ? 5 : 50, mount: '/', usedPercent: level === 'critical' ? 95 : 50,
      freeGb: 1, level, belowFreeMin: false, recordableBytes: 0,
    } as unknown as DiskReading);
    const storage = { guard: { read: async () => reading() }, thresholds: { warnPercent: 80, blockPercent: 90, diskFreeGbMin: 0 }, checkIntervalMs: 1 };
    const ring = await open({ storage });
    const states: string[] = [];
    ring.on('state', (state) => states.push(state));
    await feed(ring, range(0, 40).map((i) => frame(i)));
    level = 'critical';
    await feed(ring, range(40, 70).map((i) => frame(i)));
    expect(ring.state).to.equal('paused_storage');
    expect(ring.reason).to.match(/storage critical/);
    await new Promise((r) => setTimeout(r, 200));
    expect(ring.openInfo).to.equal(null);
    expect(ring.list().every((s) => !s.open)).to.equal(true);
    level = 'ok';
    await feed(ring, range(70, 72).map((i) => frame(i)));
    await new Promise((r) => setTimeout(r, 20));
    await feed(ring, range(72, 80).map((i) => frame(i)));
    expect(ring.state).to.equal('running');
    expect(states).to.deep.equal(['paused_storage', 'running']);
    await ring.forceRotate();
    const last = ring.list().at(-1)!;
    expect(last.firstPtsNs > frame(70).sensorTimestampNs).to.equal(true);
    expect((await readdir(dir)).filter((n) => n.endsWith('.mkv')).length).to.equal(ring.list().length);
  });
});

describe('TimebaseEstimator', () => {
  it('takes the base pair from the frame that arrived soonest after its sensor time', () => {
    const tb = new TimebaseEstimator();
    expect(tb.report()).to.equal(null);
    tb.observe(frame(0, { latencyNs: 9_000_000n }));
    tb.observe(frame(1, { latencyNs: 1_000_000n }));
    tb.observe(frame(2, { latencyNs: 5_000_000n }));
    const report = tb.report()!;
    expect(report.pts_units).to.equal('ns');
    expect(report.base_pts_ns).to.equal(frame(1).sensorTimestampNs.toString());
    expect(report.frames_considered).to.equal(3);
    expect(tb.epochMsToPtsNs(tb.ptsToEpochMs(frame(2).sensorTimestampNs)!)).to.equal(frame(2).sensorTimestampNs - (frame(2).sensorTimestampNs % 1000n));
  });

  it('starts over when the capture clock jumps (a new capture)', () => {
    const tb = new TimebaseEstimator();
    tb.observe(frame(100));
    tb.observe(frame(0, { baseNs: 0n, latencyNs: 40_000_000_000n }));
    expect(tb.report()!.frames_considered).to.equal(1);
    expect(tb.report()!.base_pts_ns).to.equal('0');
  });
});
