import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import { clipRoutes } from '../../../src/http/clip_routes.js';
import { buildHttpApp } from '../../../src/http/server.js';
import type { FastifyInstance } from 'fastify';

/** The request guard serves only a listening server, and only requests whose Host names it. */
async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `127.0.0.1:${address.port}`;
}
import { ClipService, type ClipJob, type ClipServiceOptions } from '../../../src/storage/clips/clip_service.js';
import { ClipRejection } from '../../../src/storage/clips/clip_window.js';
import { DiskGuard, type DiskStats, type DiskStatsProvider } from '../../../src/storage/disk_guard.js';
import { SegmentRing } from '../../../src/storage/segments/segment_ring.js';
import { readTimingCsv } from '../../../src/storage/timing_reader.js';

const FRAME_NS = 33_333_334n;
const BASE_NS = 5_000_000_000n;
/** The fake capture started 60 s ago: frames are in the past, and "now" is well after them. */
const EPOCH0_NS = BigInt(Date.now() - 60_000) * 1_000_000n;

function frame(index: number): CapturedFrame {
  const data = Buffer.alloc(600, index % 251);
  data[0] = 0xff; data[1] = 0xd8; data[598] = 0xff; data[599] = 0xd9;
  const sensor = BASE_NS + BigInt(index) * FRAME_NS;
  return { captureIndex: index, data, sensorTimestampNs: sensor, arrival: { monoNs: sensor, unixNs: EPOCH0_NS + sensor + 2_000_000n }, droppedBefore: 0 };
}

const ptsOf = (index: number): bigint => BASE_NS + BigInt(index) * FRAME_NS;

/** A volume of 1 TB with `available` bytes free (the guard blocks at 95 % used). */
class FakeDisk implements DiskStatsProvider {
  available = 1e12;
  stats(targetPath: string): Promise<DiskStats> {
    return Promise.resolve({ path: targetPath, mount: '/', totalBytes: 1e12, availableBytes: this.available });
  }
}
const UNTIL_BLOCK = 0.05e12;

async function settled(clips: ClipService, job: ClipJob): Promise<ClipJob> {
  for (let i = 0; i < 2000 && (job.status === 'queued' || job.status === 'running'); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(clips.get(job.clipId)).to.equal(job);
  return job;
}

/** A gate jobs labelled 'slow' wait at before each batch; counts every batch by label. */
class Gate {
  private open: (() => void) | null = null;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  readonly batches = new Map<string, number>();
  readonly hook = async (job: ClipJob): Promise<void> => {
    this.batches.set(job.label ?? '', (this.batches.get(job.label ?? '') ?? 0) + 1);
    if (job.label === 'slow') await this.opened;
  };
  release(): void {
    this.open?.();
  }
}

describe('clip jobs: bounds, cancel, shutdown, pins, disk, out_dir, labels (fake frames, real files)', function () {
  this.timeout(20_000);
  let root: string;
  let ring: SegmentRing;
  let clips: ClipService;
  let frames = 0;
  const disk = new FakeDisk();

  const feed = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i += 1) await ring.sink(frame(frames++), { droppedBefore: 0 });
  };
  const start = async (options: Partial<ClipServiceOptions> = {}): Promise<void> => {
    ring = new SegmentRing({ dir: path.join(root, 'segments'), deviceId: 'cam-x', mode: { width: 64, height: 48, fps: 30 }, segmentSeconds: 1 });
    await ring.start();
    clips = new ClipService({
      ring, clipsDir: path.join(root, 'clips'), deviceId: 'cam-x', mode: () => ring.mode, maxQueuedJobs: 16, defaultMaxWaitMs: 30_000,
      storage: { guard: new DiskGuard(disk), thresholds: { warnPercent: 80, blockPercent: 95, diskFreeGbMin: 0 } }, ...options,
    });
    await clips.start();
    await feed(150); // five sealed segments of 30 frames, the sixth opens with the next frame
    await ring.forceRotate();
  };
  const window = (from: number, to: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    start_pts_ns: ptsOf(from).toString(), stop_pts_ns: ptsOf(to).toString(), max_wait_ms: 2000, ...extra,
  });
  const refused = async (body: Record<string, unknown>, status: number, message: RegExp): Promise<void> => {
    const error = await clips.submit(body).then(() => null, (err: unknown) => err);
    expect(error, JSON.stringify(body)).to.be.instanceOf(ClipRejection);
    expect((error as ClipRejection).statusCode, (error as Error).message).to.equal(status);
    expect((error as Error).message).to.match(message);
  };
  const leftovers = async (): Promise<string[]> => (await readdir(path.join(root, 'clips'), { recursive: true })).map(String).filter((name) => name.includes('.partial-'));

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clip-jobs-'));
    frames = 0;
    disk.available = 1e12;
  });

  afterEach(async () => {
    await clips?.close();
    await ring?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses absurd and overflowing windows with 400 before anything is queued', async () => {
    await start();
    await refused({ start_pts_ns: '0', stop_pts_ns: '99999999999999999999', max_wait_ms: 600_000 }, 400, /beyond int64/);
    await refused({ start_pts_ns: '0', stop_pts_ns: '9000000000000000000', max_wait_ms: 600_000 }, 400, /at most 600 s \(segments.clip_max_window_ms\)/);
    await refused({ start_epoch_ms: 0, stop_epoch_ms: 1.7e308 }, 400, /at most 8640000000000000/);
    await refused({ start_epoch_ms: 9e15 - 1000, stop_epoch_ms: 9e15 }, 400, /at most 8640000000000000/);
    await refused({ start_epoch_ms: 8e15, stop_epoch_ms: 8e15 + 1000 }, 400, /after now \+ max_wait_ms/);
    // Within the longest window, but ending 5 min after now with a 2 s wait: the job could only give up.
    const nowPts = ptsOf(0) + (BigInt(Date.now()) * 1_000_000n - (EPOCH0_NS + ptsOf(0)));
    await refused({ start_pts_ns: nowPts.toString(), stop_pts_ns: (nowPts + 300_000_000_000n).toString(), max_wait_ms: 2000 }, 400, /after now \+ max_wait_ms \(2000 ms\)/);
    await refused(window(0, 30, { max_wait_ms: 700_000 }), 400, /max_wait_ms \(700000\) must be at most 600000/);
    await refused(window(0, 30, { postroll_ms: 600_000 }), 400, /601 s long with preroll and postroll; a clip may be at most 600 s/);
    expect(clips.pending).to.equal(0);
  });

  it('answers overflow values over HTTP with 400, never 500, and 16 absurd requests leave a normal clip unblocked', async () => {
    await start();
    const app = buildHttpApp({ strictResponses: true });
    await app.register(clipRoutes({ current: () => ({ ring, clips }) }));
    const host = await listenOnLoopback(app);
    try {
      const post = (body: unknown) => app.inject({ method: 'POST', url: '/clip', headers: { host }, payload: body as Record<string, unknown> });
      for (const body of [{ start_epoch_ms: 0, stop_epoch_ms: 1.7e308 }, { start_epoch_ms: 1, stop_epoch_ms: 9e15 }, { start_pts_ns: '0', stop_pts_ns: '99999999999999999999' }]) {
        const response = await post(body);
        expect(response.statusCode, response.body).to.equal(400);
      }
      const absurd = await Promise.all(Array.from({ length: 16 }, () => post({ start_pts_ns: '0', stop_pts_ns: '9000000000000000000', max_wait_ms: 600_000 })));
      expect(absurd.map((response) => response.statusCode)).to.deep.equal(absurd.map(() => 400));
      const normal = await post(window(35, 70));
      expect(normal.statusCode, normal.body).to.equal(202);
      const job = await settled(clips, clips.get(JSON.parse(normal.body).clip_id)!);
      expect(job.status, job.message ?? '').to.equal('done');
      expect(job.frames).to.equal(36);
    } finally {
      await app.close();
    }
  });

  it('runs a recorded window ahead of jobs still waiting for frames, and keeps half the queue for recorded windows', async () => {
    await start();
    const future = window(140, 200, { max_wait_ms: 30_000, label: 'future' });
    const waiting = [];
    for (let i = 0; i < 8; i += 1) waiting.push(await clips.submit(future));
    await refused(future, 429, /waiting for frames still to be recorded \(8\)/);
    const past = await settled(clips, await clips.submit(window(10, 40)));
    expect(past.status, past.message ?? '').to.equal('done');
    expect(waiting.map((job) => job.status)).to.deep.equal(waiting.map(() => 'queued'));
    await feed(60); // the future arrives: the waiting jobs run
    for (const job of waiting) expect((await settled(clips, job)).status).to.equal('done');
  });

  it('keeps the ring within retain_max_bytes while a job is queued behind a long one; the job that lost its segment fails clearly', async () => {
    const gate = new Gate();
    await start({ onBatch: gate.hook });
    const slow = await clips.submit(window(125, 145, { label: 'slow' }));
    const queued = await clips.submit(window(0, 20, { label: 'old' }));
    expect(queued.status).to.equal('queued');
    const oldest = ring.list()[0]!;
    const limit = 3 * oldest.bytes;
    await ring.setRetention({ retainMaxBytes: limit });
    await feed(150);
    await ring.forceRotate();
    await ring.applyRetention();
    const total = ring.list().reduce((sum, segment) => sum + segment.bytes, 0);
    expect(total).to.be.at.most(limit);
    expect(existsSync(oldest.videoPath), 'the queued job pinned nothing').to.equal(false);
    gate.release();
    expect((await settled(clips, slow)).status).to.equal('done');
    const lost = await settled(clips, queued);
    expect(lost.status).to.equal('error');
    expect(lost.message).to.match(/segment seg_.* was deleted by retention before the job could read it/);
    expect(gate.batches.get('old') ?? 0).to.equal(0);
    expect(await leftovers()).to.deep.equal([]);
  });

  it('cancels a running job (temp files removed) and a queued one (never run); finished or unknown jobs are not cancelled', async () => {
    const gate = new Gate();
    await start({ onBatch: gate.hook });
    const running = await clips.submit(window(0, 100, { label: 'slow' }));
    const queued = await clips.submit(window(0, 10, { label: 'queued' }));
    while (gate.batches.get('slow') === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await leftovers()).to.have.length(2);
    expect((await clips.cancel(queued.clipId)).status).to.equal('cancelled');
    const cancelling = clips.cancel(running.clipId);
    gate.release();
    expect((await cancelling).status).to.equal('cancelled');
    expect(running.message).to.equal('cancelled by DELETE /clip/{id}');
    expect(await leftovers()).to.deep.equal([]);
    expect(existsSync(running.path)).to.equal(false);
    expect(existsSync(running.timingPath)).to.equal(false);
    expect(queued.message).to.equal('cancelled by DELETE /clip/{id}');
    expect(gate.batches.get('queued') ?? 0).to.equal(0);
    const done = await settled(clips, await clips.submit(window(0, 10)));
    expect(done.status).to.equal('done');
    await clips.cancel(done.clipId).then(() => expect.fail('cancelled a finished job'), (err: ClipRejection) => expect(err.statusCode).to.equal(409));
    await clips.cancel('clip-nope').then(() => expect.fail('cancelled an unknown job'), (err: ClipRejection) => expect(err.statusCode).to.equal(404));
    expect(await readdir(path.join(root, 'clips'))).to.have.length(2); // the done clip and its timing file only
  });

  it('DELETE /clip/{id} with {} cancels over HTTP', async () => {
    const gate = new Gate();
    await start({ onBatch: gate.hook });
    const app = buildHttpApp({ strictResponses: true });
    await app.register(clipRoutes({ current: () => ({ ring, clips }) }));
    const host = await listenOnLoopback(app);
    try {
      await clips.submit(window(0, 100, { label: 'slow' }));
      const queued = await clips.submit(window(0, 10));
      const response = await app.inject({ method: 'DELETE', url: `/clip/${queued.clipId}`, headers: { host }, payload: {} });
      expect(response.statusCode, response.body).to.equal(200);
      expect(JSON.parse(response.body)).to.deep.include({ ok: false, status: 'cancelled', message: 'cancelled by DELETE /clip/{id}' });
      const again = await app.inject({ method: 'DELETE', url: `/clip/${queued.clipId}`, headers: { host }, payload: {} });
      expect(again.statusCode).to.equal(409);
    } finally {
      gate.release();
      await app.close();
    }
  });

  it('on close, cancels queued jobs without copying a frame and aborts the running one at its next batch', async () => {
    const batches = new Map<string, number>();
    let closing = false;
    let afterClose = 0;
    await start({
      onBatch: async (job) => {
        batches.set(job.label!, (batches.get(job.label!) ?? 0) + 1);
        if (closing) afterClose += 1;
        await new Promise((resolve) => setTimeout(resolve, 20)); // a slow disk
      },
    });
    const jobs = [];
    for (let i = 0; i < 6; i += 1) jobs.push(await clips.submit(window(0, 149, { label: `job${i}` })));
    while (batches.get('job0') === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    closing = true;
    await clips.close();
    expect(afterClose).to.be.at.most(1);
    expect(jobs.map((job) => job.status)).to.deep.equal(jobs.map(() => 'cancelled'));
    expect(jobs[1]!.message).to.equal('cancelled: the module is shutting down');
    expect([...batches.keys()]).to.deep.equal(['job0']);
    expect(await readdir(path.join(root, 'clips'))).to.deep.equal([]);
    await refused(window(0, 10), 503, /not running/);
  });

  it('checks free space against the guard before accepting a job and while it writes', async () => {
    const gate = new Gate();
    await start({ onBatch: gate.hook });
    disk.available = UNTIL_BLOCK + 10_000;
    await refused(window(0, 149), 507, /not enough free space for the clip: about 0\.1 MB still to write, 0\.0 MB left/);
    disk.available = 1e12;
    const job = await clips.submit(window(0, 149, { label: 'slow' }));
    while (gate.batches.get('slow') === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    disk.available = UNTIL_BLOCK - 1; // critical: the next segment's check fails the job
    gate.release();
    await settled(clips, job);
    expect(job.status).to.equal('error');
    expect(job.message).to.match(/the disk is at the guard's limit/);
    expect(await readdir(path.join(root, 'clips'))).to.deep.equal([]);
  });

  it('writes into the out_dir opened at submit even when a symbolic link is swapped in while the job is queued', async () => {
    const gate = new Gate();
    await start({ onBatch: gate.hook });
    const sub = path.join(root, 'clips', 'sub');
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(sub);
    await mkdir(elsewhere);
    await clips.submit(window(0, 20, { label: 'slow' }));
    const job = await clips.submit(window(0, 20, { out_dir: 'sub', filename: 'swapped' }));
    await rename(sub, `${sub}-opened`);
    await symlink(elsewhere, sub);
    gate.release();
    expect((await settled(clips, job)).status, job.message ?? '').to.equal('done');
    expect(await readdir(elsewhere)).to.deep.equal([]);
    expect((await readdir(`${sub}-opened`)).sort()).to.deep.equal(['swapped.mp4', 'swapped_timing.csv']);
  });

  it('refuses labels with control characters and keeps formula-like labels as text in the CSV', async () => {
    await start();
    await refused(window(0, 10, { label: 'a\nb' }), 400, /label must not contain control characters.*U\+000a at position 1/);
    await refused(window(0, 10, { label: 'nul\u0000' }), 400, /U\+0000/);
    await refused(window(0, 10, { label: '\tx' }), 400, /U\+0009/);
    for (const label of ['=cmd|calc', '+1', '-2', '@SUM(A1)', 'plain']) {
      const job = await settled(clips, await clips.submit(window(0, 10, { label })));
      expect(job.status, job.message ?? '').to.equal('done');
      expect(job.label).to.equal(label);
      const rows = await readTimingCsv(job.timingPath);
      expect(rows[0]!.label).to.equal(label === 'plain' ? 'plain' : `'${label}`);
    }
  });
});
