import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { locatedTools } from '../helpers/run_tool.js';
import { ReferenceHost } from '../../src/host/reference_host.js';
import { Recorder } from '../../src/client/recorder.js';
import { probeVideo } from '../../src/verify/ffprobe_packets.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';

describe('the module serves its HTTP side (web view, clip API, segment ring) on real ffmpeg', function () {
  this.timeout(90_000);
  let m: LiveModule | null = null;
  afterEach(async () => {
    await m?.close();
    m = null;
  });

  it('reports its URL in ready and get_status, keeps a ring for the assigned camera, cuts a clip of the past, and stops with the module', async () => {
    m = await startLiveModule({ http: { enabled: true }, segments: { enabled: true, segment_seconds: 2 } });
    const ready = m.statuses.find((s) => s.status === 'ready');
    const url = ready?.status === 'ready' ? ready.data.http_url : null;
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const status = m.one(await m.send('get_status'), 'status_report');
    expect(status.data.http_url).to.equal(url);
    expect((await fetch(`${url}/health`)).status).to.equal(503);
    const page = await fetch(`${url}/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-security-policy')).to.be.a('string');

    m.one(await m.send('assign_device', synthetic('synthetic:320x240@30')), 'device_ready');
    await sleep(5000);
    const health = await (await fetch(`${url}/health`)).json() as { segments: { count: number } };
    expect(health.segments.count).to.be.at.least(2);
    // The last three seconds, across a segment boundary and into the open segment: no trial was recording.
    const stop = Date.now() - 500;
    const clip = await new Recorder({ producerBaseUrl: url as string, maxWaitMs: 20_000 }).requestClip({ startMs: stop - 3000, stopMs: stop });
    const clipPath = clip.path as string;
    expect(fs.existsSync(clipPath)).to.equal(true);
    const packets = await probeVideo((await locatedTools()).ffprobe, clipPath);
    const rows = await readTimingCsv(clipPath.replace(/\.mp4$/, '_timing.csv'));
    expect(packets.pts.length).to.equal(rows.length).and.to.be.within(80, 100);

    await m.send('unassign_device');
    await sleep(200);
    expect((await fetch(`${url}/health`)).status).to.equal(503);
    await m.close();
    m = null;
    const after = await fetch(`${url}/health`).then(() => 'answered', () => 'refused');
    expect(after).to.equal('refused');
  });

  it('on quit, cancels queued clip jobs instead of copying the ring, and stops promptly', async () => {
    // Outside the module's folder, which close() removes.
    const clipsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quit-clips-'));
    m = await startLiveModule({ http: { enabled: true }, segments: { enabled: true, segment_seconds: 2, clips_dir: clipsDir } });
    const ready = m.statuses.find((s) => s.status === 'ready');
    const url = ready?.status === 'ready' ? ready.data.http_url as string : '';
    m.one(await m.send('assign_device', synthetic('synthetic:320x240@30')), 'device_ready');
    await sleep(4500);
    const health = await (await fetch(`${url}/health`)).json() as { segments: { oldest_epoch_ms: number } };
    // Eight jobs from the oldest frame to 20 s ahead: all wait, queued, for frames still to come.
    const body = JSON.stringify({ start_epoch_ms: health.segments.oldest_epoch_ms, stop_epoch_ms: Date.now() + 20_000, max_wait_ms: 25_000 });
    for (let i = 0; i < 8; i += 1) {
      const response = await fetch(`${url}/clip`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status, await response.clone().text()).to.equal(202);
    }
    const t0 = performance.now();
    await m.close();
    m = null;
    const elapsed = performance.now() - t0;
    const left = fs.readdirSync(clipsDir);
    fs.rmSync(clipsDir, { recursive: true, force: true });
    expect(left).to.deep.equal([]);
    expect(elapsed, 'quit waited for the clip jobs').to.be.below(5000);
  });

  it('refuses to start (an error, no ready) when asked to listen beyond loopback without a token', async () => {
    const host = new ReferenceHost({ config: { http: { enabled: true, host: '0.0.0.0' } } });
    const started = await host.start().then(() => 'started', (err: unknown) => String(err));
    expect(started).to.match(/token/);
    expect(host.statuses.some((s) => s.status === 'ready')).to.equal(false);
    const error = host.statuses.find((s) => s.status === 'error');
    expect(error?.status === 'error' && error.data).to.include({ code: -1002, recoverable: false });
    await host.stop();
  });
});
