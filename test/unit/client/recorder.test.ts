import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  ClipError, ClipHttpError, ClipRequestError, ClipTimeoutError, Recorder, epochMsToPts, ptsToEpochMs, timebaseFromHealth,
} from '../../../src/index.js';
import { normalizeWindow } from '../../../src/client/recorder.js';

const TB = { ptsUnits: 'ns' as const, basePtsNs: 5_000_000_000n, baseEpochMs: 1_700_000_000_000 };

function rejection(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return null;
}

describe('Recorder window rules', () => {
  it('pts wins over epoch; epoch maps through the Timebase when there is one', () => {
    expect(normalizeWindow({ startPtsNs: '10', stopPtsNs: 20n, startMs: 1, stopMs: 2 }, TB)).to.deep.equal({ mode: 'pts', startPtsNs: 10n, stopPtsNs: 20n, startMs: null, stopMs: null });
    expect(normalizeWindow({ startMs: 1_700_000_001_000, stopMs: 1_700_000_002_000.5 }, TB)).to.deep.equal({
      mode: 'epoch', startPtsNs: 6_000_000_000n, stopPtsNs: 7_000_500_000n, startMs: 1_700_000_001_000, stopMs: 1_700_000_002_000.5,
    });
    expect(normalizeWindow({ startMs: 1, stopMs: 2 }, null)).to.deep.equal({ mode: 'epoch', startPtsNs: null, stopPtsNs: null, startMs: 1, stopMs: 2 });
  });

  it('refuses invalid windows with ClipRequestError', () => {
    for (const request of [
      {}, { startPtsNs: 1n }, { startMs: 1 }, { startPtsNs: 5n, stopPtsNs: 5n }, { startMs: 3, stopMs: 2 },
      { startPtsNs: -1n, stopPtsNs: 5n }, { startPtsNs: 2 ** 60, stopPtsNs: 2 ** 61 }, { startPtsNs: 'abc', stopPtsNs: '5' },
    ]) {
      expect(rejection(() => normalizeWindow(request, null)), JSON.stringify(request, (_, v) => (typeof v === 'bigint' ? String(v) : v))).to.be.instanceOf(ClipRequestError);
    }
    const negative = rejection(() => normalizeWindow({ startMs: 1_699_999_990_000, stopMs: 1_700_000_000_000 }, TB));
    expect(negative).to.be.instanceOf(ClipRequestError);
    expect((negative as Error).message).to.match(/negative pts/);
  });

  it('reads the timebase of a /health payload and converts both ways', () => {
    const tb = timebaseFromHealth({ timebase: { pts_units: 'ns', base_pts_ns: '5000000000', base_epoch_ms: 1_700_000_000_000 } });
    expect(tb).to.deep.equal(TB);
    expect(epochMsToPts(tb, 1_700_000_000_001)).to.equal(5_001_000_000n);
    expect(ptsToEpochMs(tb, 5_001_000_000n)).to.equal(1_700_000_000_001);
    expect(rejection(() => timebaseFromHealth({ timebase: null }))).to.be.instanceOf(ClipError);
    expect(rejection(() => timebaseFromHealth({ timebase: { pts_units: 'us', base_pts_ns: '1', base_epoch_ms: 1 } }))).to.be.instanceOf(ClipError);
  });
});

describe('Recorder against a scripted producer', () => {
  let server: Server;
  let url: string;
  let script: (method: string, route: string, body: string) => [number, unknown];
  const seen: Array<{ method: string; route: string; body: string; auth: string | undefined; type: string | undefined }> = [];

  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method!, route: request.url!, body, auth: request.headers.authorization, type: request.headers['content-type'] });
        const [status, payload] = script(request.method!, request.url!, body);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    seen.length = 0;
  });

  it('accepts {id} and a nested clip status; sends pts as strings, defaults and the token', async () => {
    let polls = 0;
    script = (method) => {
      if (method === 'POST') return [202, { ok: true, id: 'clip-7' }];
      polls += 1;
      return polls < 2 ? [200, { ok: true, clip: { clip_id: 'clip-7', status: 'running' } }] : [200, { ok: true, clip: { clip_id: 'clip-7', status: 'done', path: '/clips/a.mp4' }, message: null }];
    };
    const recorder = new Recorder({ producerBaseUrl: `${url}/`, pollIntervalMs: 10, defaultLabel: 'lab', defaultOutDir: 'sub', token: 'tok' });
    const result = await recorder.requestClip({ startPtsNs: 18446744073709551000n, stopPtsNs: '18446744073709551615', postrollMs: 5 });
    expect(result).to.deep.include({ jobId: 'clip-7', status: 'done', mode: 'pts', path: '/clips/a.mp4' });
    const sent = JSON.parse(seen[0]!.body) as Record<string, unknown>;
    expect(sent).to.deep.equal({ start_pts_ns: '18446744073709551000', stop_pts_ns: '18446744073709551615', label: 'lab', out_dir: 'sub', postroll_ms: 5, max_wait_ms: 30000 });
    expect(seen[1]!.route).to.equal('/clip/clip-7');
    expect(seen.every((request) => request.auth === 'Bearer tok')).to.equal(true);
  });

  it('accepts {clip_id} and a top-level status; sends an epoch window without a Timebase', async () => {
    script = (method) => (method === 'POST' ? [202, { ok: true, clip_id: 'c1' }] : [200, { ok: true, status: 'done', path: '/x.mp4', message: null }]);
    const result = await new Recorder({ producerBaseUrl: url }).requestClip({ startMs: 10, stopMs: 20 });
    expect(result).to.deep.include({ jobId: 'c1', mode: 'epoch', path: '/x.mp4', startMs: 10, stopMs: 20, startPtsNs: null });
    expect(JSON.parse(seen[0]!.body)).to.deep.include({ start_epoch_ms: 10, stop_epoch_ms: 20 });
  });

  it('sends every POST (force_rotate too) as application/json with a JSON object body', async () => {
    script = (method) => (method === 'POST' ? [200, { ok: true, sealed: null }] : [404, {}]);
    await new Recorder({ producerBaseUrl: url }).forceRotate();
    expect(seen).to.deep.equal([{ method: 'POST', route: '/force_rotate', body: '{}', auth: undefined, type: 'application/json' }]);
  });

  it('raises ClipHttpError for 409/404/non-JSON, ClipError for a failed job, ClipTimeoutError when it never ends', async () => {
    script = () => [409, { ok: false, message: 'no segments overlap requested window (possibly purged)' }];
    const purged = await new Recorder({ producerBaseUrl: url }).requestClip({ startMs: 1, stopMs: 2 }).catch((err: unknown) => err);
    expect(purged).to.be.instanceOf(ClipHttpError);
    expect((purged as ClipHttpError).status).to.equal(409);
    expect((purged as Error).message).to.match(/possibly purged/);

    script = (method) => (method === 'POST' ? [202, { id: 'c2' }] : [404, { ok: false, message: 'unknown clip_id' }]);
    expect(((await new Recorder({ producerBaseUrl: url }).requestClip({ startMs: 1, stopMs: 2 }).catch((err: unknown) => err)) as ClipHttpError).status).to.equal(404);

    script = () => [200, 'not json'];
    expect(await new Recorder({ producerBaseUrl: url }).requestClip({ startMs: 1, stopMs: 2 }).catch((err: unknown) => err)).to.be.instanceOf(ClipHttpError);

    script = (method) => (method === 'POST' ? [202, { id: 'c3' }] : [200, { ok: false, status: 'error', message: 'disk full' }]);
    const failed = await new Recorder({ producerBaseUrl: url }).requestClip({ startMs: 1, stopMs: 2 }).catch((err: unknown) => err);
    expect(failed).to.be.instanceOf(ClipError);
    expect((failed as Error).message).to.match(/disk full/);

    script = (method) => (method === 'POST' ? [202, { id: 'c5' }] : [200, { ok: false, status: 'cancelled', message: 'cancelled by DELETE /clip/{id}' }]);
    const cancelled = await new Recorder({ producerBaseUrl: url, pollIntervalMs: 10, finishGraceMs: 0 }).requestClip({ startMs: 1, stopMs: 2, maxWaitMs: 5000 }).catch((err: unknown) => err);
    expect(cancelled).to.be.instanceOf(ClipError);
    expect(cancelled).not.to.be.instanceOf(ClipTimeoutError);
    expect((cancelled as Error).message).to.equal('clip c5 was cancelled: cancelled by DELETE /clip/{id}');

    seen.length = 0;
    script = () => [200, { ok: false, status: 'cancelled' }];
    expect(await new Recorder({ producerBaseUrl: url }).cancel('clip/x')).to.deep.equal({ ok: false, status: 'cancelled' });
    expect(seen.map(({ method, route, body }) => ({ method, route, body }))).to.deep.equal([{ method: 'DELETE', route: '/clip/clip%2Fx', body: '{}' }]);

    script = (method) => (method === 'POST' ? [202, { id: 'c4' }] : [200, { status: 'running' }]);
    const slow = await new Recorder({ producerBaseUrl: url, pollIntervalMs: 10, finishGraceMs: 0 }).requestClip({ startMs: 1, stopMs: 2, maxWaitMs: 100 }).catch((err: unknown) => err);
    expect(slow).to.be.instanceOf(ClipTimeoutError);
    expect((slow as ClipTimeoutError).lastStatus).to.equal('running');

    const unreachable = await new Recorder({ producerBaseUrl: 'http://127.0.0.1:1' }).requestClip({ startMs: 1, stopMs: 2 }).catch((err: unknown) => err);
    expect(unreachable).to.be.instanceOf(ClipHttpError);
    expect((unreachable as ClipHttpError).status).to.equal(null);
  });
});
