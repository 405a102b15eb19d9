import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import {
  ClipError, ClipHttpError, ClipRequestError, Recorder, epochMsToPts, timebaseFromHealth,
} from '../../src/index.js';
import { buildHttpApp, createHttpServer } from '../../src/http/server.js';
import { clipRoutes } from '../../src/http/clip_routes.js';
import type { SegmentInfo } from '../../src/storage/segments/segment_files.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { probeFile, decodeErrors } from '../helpers/ffprobe.js';
import { json, sleep, startLiveRing, waitForClip, type LiveRing } from './clip_fixture.js';

const run = promisify(execFile);
const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${url}/clip`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

interface StoredFrame {
  readonly sensorNs: bigint;
  readonly size: number;
}

/** Every frame the ring holds on disk now (sealed segments and the open one's committed frames), in order. */
async function storedFrames(live: LiveRing): Promise<StoredFrame[]> {
  const frames: StoredFrame[] = [];
  for (const segment of live.ring.list()) {
    const { rows, blocks } = await live.ring.frames(segment);
    rows.forEach((row, i) => frames.push({ sensorNs: row.sensorTimestampNs, size: blocks[i]!.size }));
  }
  return frames;
}

/**
 * The clip holds exactly the stored frames whose pts lies in [from, to], in order, byte for
 * byte the same size, its packets' pts equal to the clip timing CSV's video_pts, and the CSV's
 * sensor timestamps are the originals.
 */
async function expectFrameExact(live: LiveRing, status: Record<string, unknown>): Promise<number> {
  expect(status['status'], JSON.stringify(status)).to.equal('done');
  const clip = status['clip'] as Record<string, unknown>;
  const from = BigInt(clip['from_pts_ns'] as string);
  const to = BigInt(clip['to_pts_ns'] as string);
  const expected = (await storedFrames(live)).filter((frame) => frame.sensorNs >= from && frame.sensorNs <= to);
  const probe = await probeFile(clip['path'] as string);
  const rows = await readTimingCsv(clip['timing_path'] as string);
  expect(probe.streams[0]!.codecName).to.equal('mjpeg');
  expect(probe.packets.length, 'packets = frames in window').to.equal(expected.length);
  expect(rows.length, 'timing rows = frames').to.equal(expected.length);
  expect(clip['frames']).to.equal(expected.length);
  expect(rows.map((row) => row.sensorTimestampNs)).to.deep.equal(expected.map((frame) => frame.sensorNs));
  expect(probe.packets.map((packet) => packet.size)).to.deep.equal(expected.map((frame) => frame.size));
  expect(probe.packets.map((packet) => packet.pts)).to.deep.equal(rows.map((row) => row.videoPts));
  for (let i = 1; i < probe.packets.length; i += 1) expect(probe.packets[i]!.pts).to.be.above(probe.packets[i - 1]!.pts);
  expect(rows.map((row) => row.frameIndex)).to.deep.equal(rows.map((_, i) => i + 1));
  expect(clip['first_pts_ns']).to.equal(expected[0]!.sensorNs.toString());
  expect(clip['last_pts_ns']).to.equal(expected.at(-1)!.sensorNs.toString());
  return expected.length;
}

describe('segment ring and clip API on a real synthetic camera (640x480@30, 5 s segments)', function () {
  this.timeout(120_000);
  let live: LiveRing;
  let sealed: SegmentInfo[];

  before(async function () {
    this.timeout(90_000);
    live = await startLiveRing({ segmentSeconds: 5 });
    const deadline = Date.now() + 60_000;
    while (live.ring.list().filter((segment) => !segment.open).length < 4) {
      if (Date.now() > deadline) throw new Error('the ring did not seal 4 segments in 60 s');
      await sleep(250);
    }
    sealed = live.ring.list().filter((segment) => !segment.open);
  });

  after(async () => {
    await live?.stop();
  });

  it('reports health: ns timebase with a measured base pair, the index and the ring state', async () => {
    const health = await json(await fetch(`${live.url}/health`));
    const timebase = health['timebase'] as Record<string, unknown>;
    expect(timebase['pts_units']).to.equal('ns');
    expect(timebase['base_pts_ns']).to.match(/^\d+$/);
    expect(timebase['base_epoch_ms']).to.be.a('number');
    expect(timebase['method']).to.equal('min_arrival_offset');
    const segments = health['segments'] as Record<string, unknown>;
    expect(segments['count']).to.be.at.least(4);
    expect(BigInt(segments['oldest_pts_ns'] as string)).to.equal(sealed[0]!.firstPtsNs);
    expect(health['ring']).to.include({ state: 'running' });
    const list = await json(await fetch(`${live.url}/segments`));
    const entries = list['segments'] as Array<Record<string, unknown>>;
    expect(entries.length).to.be.at.least(segments['count'] as number);
    // Only the last can be open (just after a rotation the new one has no frame yet and is not listed).
    expect(entries.slice(0, -1).every((entry) => entry['open'] === false)).to.equal(true);
    // Each sealed segment holds ~5 s of frames: 150 at 30 fps.
    for (const entry of entries.slice(0, 3)) expect(entry['frames']).to.be.within(148, 152);
  });

  it('cuts a pts window across two segment boundaries frame-exactly (preroll/postroll included)', async () => {
    const start = sealed[1]!.lastPtsNs - 1_000_000_000n;
    const stop = sealed[3]!.firstPtsNs + 1_000_000_000n;
    const t0 = performance.now();
    const response = await post(live.url, { start_pts_ns: start.toString(), stop_pts_ns: stop.toString(), preroll_ms: 200, postroll_ms: 300, label: 'across' });
    expect(response.status).to.equal(202);
    const accepted = await json(response);
    expect(accepted['clip_id']).to.equal(accepted['id']);
    const status = await waitForClip(live.url, accepted['clip_id'] as string);
    const elapsed = performance.now() - t0;
    const frames = await expectFrameExact(live, status);
    const seconds = Number(stop - start) / 1e9 + 0.5;
    expect(frames).to.be.within(Math.floor(seconds * 30) - 1, Math.ceil(seconds * 30) + 1);
    expect(path.basename(status['path'] as string)).to.match(/^across_/);
    expect(await decodeErrors(status['path'] as string)).to.equal('');
    console.log(`      ${frames} frames across 3 segments: POST → done in ${elapsed.toFixed(0)} ms`);
  });

  it('cuts an epoch window across two boundaries into the still-open segment without rotating it', async () => {
    const health = await json(await fetch(`${live.url}/health`));
    const timebase = timebaseFromHealth(health);
    const open = live.ring.openInfo!;
    const all = live.ring.list();
    const startSegment = all[all.length - 3]!;
    const startMs = startSegment.lastEpochMs - 700;
    const stopMs = Date.now() + 800; // still to be recorded: the job waits for it
    expect(epochMsToPts(timebase, stopMs) > open.lastPtsNs).to.equal(true);
    const response = await post(live.url, { start_epoch_ms: startMs, stop_epoch_ms: stopMs, filename: '../../evil name.mp4' });
    expect(response.status).to.equal(202);
    const status = await waitForClip(live.url, (await json(response))['clip_id'] as string);
    await expectFrameExact(live, status);
    expect(path.basename(status['path'] as string)).to.equal('evil_name.mp4');
    expect(path.dirname(status['path'] as string)).to.equal(live.clips.clipsDir);
    const clip = status['clip'] as Record<string, unknown>;
    expect(BigInt(clip['last_pts_ns'] as string) >= open.firstPtsNs).to.equal(true);
    // The open segment was read as it grew, not sealed early for the clip.
    const stillThere = live.ring.list().find((segment) => segment.id === open.id)!;
    expect(stillThere.open || stillThere.lastPtsNs - stillThere.firstPtsNs >= 4_900_000_000n).to.equal(true);
  });

  it('Recorder (TypeScript) cuts by pts, by epoch with a Timebase and by epoch without, both response shapes', async () => {
    const health = await json(await fetch(`${live.url}/health`));
    const timebase = timebaseFromHealth(health);
    const last = live.ring.list().filter((segment) => !segment.open).at(-1)!;
    const byPts = await new Recorder({ producerBaseUrl: live.url, pollIntervalMs: 50, defaultLabel: 'ts_client' })
      .requestClip({ startPtsNs: last.firstPtsNs + 500_000_000n, stopPtsNs: last.firstPtsNs + 1_500_000_000n });
    expect(byPts.mode).to.equal('pts');
    expect(byPts.path).to.match(/ts_client_.*\.mp4$/);
    expect(existsSync(byPts.path!)).to.equal(true);
    await expectFrameExact(live, byPts.raw as Record<string, unknown>);
    const withTimebase = await new Recorder({ producerBaseUrl: live.url, pollIntervalMs: 50 }, timebase)
      .requestClip({ startMs: last.firstEpochMs + 1000, stopMs: last.firstEpochMs + 2000 });
    expect(withTimebase.mode).to.equal('epoch');
    expect(withTimebase.startPtsNs).to.equal(epochMsToPts(timebase, last.firstEpochMs + 1000));
    expect((withTimebase.raw['clip'] as Record<string, unknown>)['mode']).to.equal('pts');
    const epochOnly = await new Recorder({ producerBaseUrl: live.url, pollIntervalMs: 50 })
      .requestClip({ startMs: last.firstEpochMs + 1000, stopMs: last.firstEpochMs + 2000, startPtsNs: null });
    expect((epochOnly.raw['clip'] as Record<string, unknown>)['mode']).to.equal('epoch');
    await expectFrameExact(live, epochOnly.raw as Record<string, unknown>);
    const recorder = new Recorder({ producerBaseUrl: live.url });
    await recorder.requestClip({ startPtsNs: 10n, stopPtsNs: 5n }).then(() => expect.fail('accepted'), (err: unknown) => expect(err).to.be.instanceOf(ClipRequestError));
    await new Recorder({ producerBaseUrl: live.url }, timebase).requestClip({ startMs: 0, stopMs: 1000 })
      .then(() => expect.fail('accepted'), (err: unknown) => expect((err as Error).message).to.match(/negative pts/));
    const purged = await recorder.requestClip({ startMs: 1000, stopMs: 2000 }).catch((err: unknown) => err);
    expect(purged).to.be.instanceOf(ClipHttpError);
    expect((purged as ClipHttpError).status).to.equal(409);
    expect((purged as ClipError).message).to.match(/no segments overlap requested window \(possibly purged\)/);
  });

  it('the clip CLI prints the clip path', async () => {
    const last = live.ring.list().filter((segment) => !segment.open).at(-1)!;
    mkdirSync(path.join(live.clips.clipsDir, 'cli'), { recursive: true });
    const { stdout } = await run(process.execPath, [
      'bin/cameras-usb2.js', 'clip', '--url', live.url, '--start-pts', String(last.firstPtsNs), '--stop-pts', String(last.firstPtsNs + 1_000_000_000n),
      '--label', 'cli', '--out', 'cli',
    ]);
    const printed = stdout.trim();
    expect(printed).to.match(/\/cli\/cli_.*\.mp4$/);
    expect(existsSync(printed)).to.equal(true);
  });

  it('the Python client (standard library) gets clips from the real server', async () => {
    const last = live.ring.list().filter((segment) => !segment.open).at(-1)!;
    const script = `
import json, sys
sys.path.insert(0, 'clients/python')
from recorder import Recorder, RecorderConfig, ClipRequest, ClipHttpError, ClipRequestError, timebase_from_health_payload
cfg = RecorderConfig(producer_base_url=sys.argv[1], poll_interval_ms=50, default_label='py')
health = Recorder(cfg).health()
tb = timebase_from_health_payload(health)
out = {}
r = Recorder(cfg, timebase=tb).request_clip(ClipRequest(start_pts_ns=int(sys.argv[2]), stop_pts_ns=int(sys.argv[3])))
out['pts'] = [r.status, r.mode, str(r.path), r.raw['clip']['frames']]
r = Recorder(cfg, timebase=tb).request_clip(ClipRequest(start_ms=float(sys.argv[4]), stop_ms=float(sys.argv[5])))
out['epoch_tb'] = [r.status, r.mode, str(r.path), r.start_pts_ns]
r = Recorder(cfg).request_clip(ClipRequest(start_ms=float(sys.argv[4]), stop_ms=float(sys.argv[5])))
out['epoch'] = [r.status, r.mode, str(r.path), r.raw['clip']['mode']]
try:
    Recorder(cfg).request_clip(ClipRequest(start_ms=1000, stop_ms=2000))
except ClipHttpError as e:
    out['purged'] = [e.status, str(e)]
try:
    Recorder(cfg).request_clip(ClipRequest(start_pts_ns=5, stop_pts_ns=5))
except ClipRequestError as e:
    out['bad'] = str(e)
out['rotate'] = [Recorder(cfg).force_rotate()['ok']]
print(json.dumps(out))
`;
    const { stdout } = await run('python3', ['-c', script, live.url, String(last.firstPtsNs), String(last.firstPtsNs + 1_000_000_000n), String(last.firstEpochMs + 2000), String(last.firstEpochMs + 3000)]);
    const out = JSON.parse(stdout) as Record<string, unknown[]>;
    expect(out['pts']!.slice(0, 2)).to.deep.equal(['done', 'pts']);
    expect(out['pts']![3]).to.be.within(29, 32);
    expect(existsSync(out['pts']![2] as string)).to.equal(true);
    expect(out['epoch_tb']!.slice(0, 2)).to.deep.equal(['done', 'epoch']);
    expect(out['epoch']!.slice(0, 2)).to.deep.equal(['done', 'epoch']);
    expect(out['epoch']![3]).to.equal('epoch');
    expect(out['purged']![0]).to.equal(409);
    expect(out['bad']).to.match(/stop .* must be after start/);
    expect(out['rotate'], 'force_rotate sends {} as JSON').to.deep.equal([true]);
  });

  it('refuses bad requests with 400/404/413 and a message naming the problem', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ start_pts_ns: '10', stop_pts_ns: '10' }, 400, /must be after/],
      [{ start_pts_ns: '-10', stop_pts_ns: '10' }, 400, /negative/],
      [{ start_pts_ns: 2 ** 60, stop_pts_ns: 2 ** 61 }, 400, /2\^53/],
      [{ start_epoch_ms: 5, stop_epoch_ms: 1 }, 400, /must be after/],
      [{ start_pts_ns: '1' }, 400, /go together/],
      [{ label: 'x' }, 400, /give start_pts_ns/],
      [{ start_pts_ns: '1', stop_pts_ns: '2', out_dir: '/etc' }, 400, /inside the clips folder/],
      [{ start_pts_ns: '1', stop_pts_ns: '2', out_dir: 'nope/none' }, 400, /does not exist/],
      [{ start_pts_ns: '1', stop_pts_ns: '2', bogus: 1 }, 400, /unknown field 'bogus'/],
      [{ start_pts_ns: '1', stop_pts_ns: '2', label: 'x'.repeat(20_000) }, 413, /./],
      [{ start_epoch_ms: 0, stop_epoch_ms: 1.7e308 }, 400, /at most 8640000000000000/],
      [{ start_epoch_ms: 1, stop_epoch_ms: 9e15 }, 400, /at most 8640000000000000/],
      [{ start_pts_ns: '0', stop_pts_ns: '99999999999999999999', max_wait_ms: 600000 }, 400, /beyond int64/],
      [{ start_pts_ns: '0', stop_pts_ns: '9000000000000000000', max_wait_ms: 600000 }, 400, /a clip may be at most 600 s/],
      [{ start_pts_ns: '1', stop_pts_ns: '2', label: 'two\nlines' }, 400, /label must not contain control characters/],
    ];
    symlinkSync('/tmp', path.join(live.clips.clipsDir, 'escape'));
    cases.push([{ start_pts_ns: '1', stop_pts_ns: '2', out_dir: 'escape' }, 400, /inside the clips folder/]);
    for (const [body, code, message] of cases) {
      const response = await post(live.url, body);
      const payload = await json(response);
      expect(response.status, JSON.stringify(body).slice(0, 80)).to.equal(code);
      expect(payload['ok']).to.equal(false);
      expect(payload['message']).to.match(message);
    }
    const unknown = await fetch(`${live.url}/clip/clip-doesnotexist`);
    expect(unknown.status).to.equal(404);
    expect((await json(unknown))['message']).to.match(/unknown clip_id/);
    expect((await fetch(`${live.url}/nothing`)).status).to.equal(404);
    const notJson = await fetch(`${live.url}/clip`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).to.equal(400);
  });

  it('never writes through a symlink planted under the clip\'s final name', async () => {
    const last = live.ring.list().filter((segment) => !segment.open).at(-1)!;
    const target = path.join(live.root, 'planted-target.mp4');
    symlinkSync(target, path.join(live.clips.clipsDir, 'planted.mp4'));
    const response = await post(live.url, { start_pts_ns: last.firstPtsNs.toString(), stop_pts_ns: (last.firstPtsNs + 500_000_000n).toString(), filename: 'planted' });
    expect(response.status).to.equal(202);
    const status = await waitForClip(live.url, (await json(response))['clip_id'] as string);
    expect(status['status']).to.equal('error');
    expect(status['ok']).to.equal(false);
    expect(status['message']).to.match(/already exists/);
    expect(existsSync(target)).to.equal(false);
    expect(existsSync(path.join(live.clips.clipsDir, 'planted_timing.csv'))).to.equal(false);
  });

  it('takes 100 concurrent clip requests: 202 or 429, no crash, every accepted one finishes', async () => {
    const last = live.ring.list().filter((segment) => !segment.open).at(-1)!;
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => {
      const start = last.firstPtsNs + BigInt(i % 40) * 100_000_000n;
      return post(live.url, { start_pts_ns: start.toString(), stop_pts_ns: (start + 300_000_000n).toString(), label: `burst${i}` });
    }));
    const codes = responses.map((response) => response.status);
    expect(codes.every((code) => code === 202 || code === 429), codes.join(',')).to.equal(true);
    const accepted = await Promise.all(responses.filter((response) => response.status === 202).map(json));
    expect(accepted.length).to.be.at.least(16);
    const tooMany = responses.filter((response) => response.status === 429);
    for (const response of tooMany) expect((await json(response))['message']).to.match(/too many clip jobs/);
    const results = await Promise.all(accepted.map((body) => waitForClip(live.url, body['clip_id'] as string, 60_000)));
    expect(results.map((result) => result['status'])).to.deep.equal(results.map(() => 'done'));
    console.log(`      ${accepted.length} accepted, ${tooMany.length} refused with 429`);
    expect((await fetch(`${live.url}/health`)).status).to.equal(200);
  });

  it('POST /force_rotate seals the open segment at once', async () => {
    const before = live.ring.openInfo;
    expect(before).to.not.equal(null);
    const body = await json(await fetch(`${live.url}/force_rotate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect((body['sealed'] as Record<string, unknown>)['id']).to.equal(before!.id);
    expect(before!.open).to.equal(false);
    await sleep(300);
    expect(live.ring.openInfo!.id).to.not.equal(before!.id);
  });

  it('needs a token to bind beyond loopback, and checks Authorization: Bearer when one is set', async () => {
    expect(() => buildHttpApp({ host: '0.0.0.0' })).to.throw(/not loopback: set http.token/);
    const server = await createHttpServer({ host: '0.0.0.0', port: 0, token: 'secret-token-1' }, [clipRoutes({ current: () => ({ ring: live.ring, clips: live.clips }) })]);
    try {
      const url = server.url.replace('0.0.0.0', '127.0.0.1');
      expect((await fetch(`${url}/health`)).status).to.equal(401);
      expect((await fetch(`${url}/health`, { headers: { authorization: 'Bearer wrong-token-xx' } })).status).to.equal(401);
      expect((await fetch(`${url}/health`, { headers: { authorization: 'Bearer secret-token-1' } })).status).to.equal(200);
      const recorder = new Recorder({ producerBaseUrl: url, token: 'secret-token-1' });
      expect((await recorder.health())['ok']).to.equal(true);
    } finally {
      await server.close();
    }
  });

  it('cancels jobs with DELETE /clip/{id} from both clients: cancelled status, no temp files, 409 once finished', async () => {
    const open = live.ring.openInfo!;
    const ahead = (open.lastPtsNs + 3_000_000_000n).toString();
    const submit = async (): Promise<string> => {
      const response = await post(live.url, { start_pts_ns: open.firstPtsNs.toString(), stop_pts_ns: ahead, max_wait_ms: 8000 });
      expect(response.status).to.equal(202);
      return (await json(response))['clip_id'] as string;
    };
    const recorder = new Recorder({ producerBaseUrl: live.url });
    const first = await submit();
    const cancelled = await recorder.cancel(first);
    expect(cancelled).to.deep.include({ ok: false, status: 'cancelled', message: 'cancelled by DELETE /clip/{id}' });
    const again = await recorder.cancel(first).catch((err: unknown) => err);
    expect((again as ClipHttpError).status).to.equal(409);
    const second = await submit();
    const { stdout } = await run('python3', ['-c', `
import json, sys
sys.path.insert(0, 'clients/python')
from recorder import Recorder, RecorderConfig
print(json.dumps(Recorder(RecorderConfig(producer_base_url=sys.argv[1])).cancel(sys.argv[2])))
`, live.url, second]);
    expect(JSON.parse(stdout)).to.deep.include({ status: 'cancelled' });
    expect((await readdir(live.clips.clipsDir)).filter((name) => name.includes('.partial-'))).to.deep.equal([]);
  });

  it('a queued job pins nothing: retention keeps the sealed segments within retain_max_bytes; the job that lost one fails clearly', async () => {
    const oldest = live.ring.list()[0]!;
    const open = live.ring.openInfo!;
    // Waits for 2 s still to be recorded: queued, not reading, so it holds no segment.
    const response = await post(live.url, { start_pts_ns: oldest.firstPtsNs.toString(), stop_pts_ns: (open.lastPtsNs + 2_000_000_000n).toString(), max_wait_ms: 2500 });
    expect(response.status).to.equal(202);
    const clipId = (await json(response))['clip_id'] as string;
    await live.ring.setRetention({ retainMaxBytes: 1_000_000 });
    expect(existsSync(oldest.videoPath)).to.equal(false);
    const sealedBytes = live.ring.list().filter((segment) => !segment.open).reduce((sum, segment) => sum + segment.bytes, 0);
    expect(sealedBytes).to.be.at.most(1_000_000);
    const failed = await waitForClip(live.url, clipId);
    expect(failed['status']).to.equal('error');
    expect(failed['message']).to.match(/was deleted by retention before the job could read it/);
    const purged = await post(live.url, { start_pts_ns: oldest.firstPtsNs.toString(), stop_pts_ns: (oldest.firstPtsNs + 1_000_000_000n).toString() });
    expect(purged.status).to.equal(409);
    expect((await json(purged))['message']).to.equal('no segments overlap requested window (possibly purged)');
    const leftovers = (await readdir(live.clips.clipsDir)).filter((name) => name.includes('.partial-'));
    expect(leftovers).to.deep.equal([]);
  });
});
