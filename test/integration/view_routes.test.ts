import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { PAGE_DIR } from '../../src/view/page_assets.js';
import { synthetic } from '../helpers/live_module.js';
import { captureChildPid } from '../helpers/capture_child.js';
import { startViewServer, type ViewServer } from '../browser/helpers/view_server.js';
import type { MetricsHistory, MetricsSample } from '../../src/view/metrics_sample.js';

type PartReader = (onPart: (bytes: Uint8Array, headers: Record<string, string>) => void) => (chunk: Uint8Array) => void;
/** The page's own multipart reader (plain ESM, no DOM), so the test reads the stream as the page does. */
const loadPartReader = async (): Promise<PartReader> =>
  ((await import(pathToFileURL(path.join(PAGE_DIR, 'preview.js')).href)) as { createPartReader: PartReader }).createPartReader;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const isJpeg = (b: Uint8Array): boolean => b[0] === 0xff && b[1] === 0xd8 && b.at(-2) === 0xff && b.at(-1) === 0xd9;

async function post(server: ViewServer, route: string, body: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${server.origin}/view/api/${route}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** Reads the preview stream for ms milliseconds; returns the parts seen. */
function readPreview(server: ViewServer, ms: number, readPart: PartReader): Promise<Array<{ bytes: Uint8Array; headers: Record<string, string> }>> {
  return new Promise((resolve, reject) => {
    const parts: Array<{ bytes: Uint8Array; headers: Record<string, string> }> = [];
    const feed = readPart((bytes, headers) => parts.push({ bytes, headers }));
    const request = http.get(`${server.origin}/view/api/preview.mjpeg`, (response) => {
      expect(response.headers['content-type']).to.match(/^multipart\/x-mixed-replace; boundary=/);
      response.on('data', (chunk: Buffer) => feed(new Uint8Array(chunk)));
      setTimeout(() => {
        request.destroy();
        resolve(parts);
      }, ms);
    });
    request.on('error', (err) => (parts.length > 0 ? resolve(parts) : reject(err)));
  });
}

/** The first `count` server-sent events of the metrics stream (or those before `done` says enough). */
async function readEvents(server: ViewServer, count: number, done: (events: ReadonlyArray<{ event: string; data: unknown }>) => boolean = () => false): Promise<Array<{ event: string; data: unknown }>> {
  const controller = new AbortController();
  const response = await fetch(`${server.origin}/view/api/metrics`, { signal: controller.signal });
  expect(response.headers.get('content-type')).to.match(/^text\/event-stream/);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const events: Array<{ event: string; data: unknown }> = [];
  while (events.length < count && !done(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
    }
  }
  controller.abort();
  return events;
}

describe('the web view routes over HTTP (real module, synthetic camera)', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ViewServer;
  let readPart: PartReader;

  before(async () => {
    readPart = await loadPartReader();
    dir = mkdtempSync(path.join(tmpdir(), 'cams-view-routes-'));
    server = await startViewServer({
      config: { storage: { base_path: dir }, telemetry: { emit_interval_ms: 0 }, guard: { disk_free_gb_min: 0.1 }, preview: { fps: 10 } },
    });
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 404 for the snapshot and 409 for capabilities before a camera is assigned', async () => {
    expect((await fetch(`${server.origin}/view/api/snapshot.jpg`)).status).to.equal(404);
    expect((await fetch(`${server.origin}/view/api/capabilities`)).status).to.equal(409);
    await server.host.request('assign_device', synthetic('synthetic:640x480@30'));
    expect((await fetch(`${server.origin}/view/api/capabilities`)).status).to.equal(200);
  });

  it('puts the security headers on the page, its assets and its errors', async () => {
    for (const route of ['/view/', '/view/assets/app.js', '/view/assets/uPlot.esm.js', '/view/api/state', '/view/assets/nothing.js']) {
      const response = await fetch(`${server.origin}${route}`);
      expect(response.headers.get('content-security-policy'), route).to.contain("default-src 'none'").and.contain("script-src 'self'");
      expect(response.headers.get('x-content-type-options'), route).to.equal('nosniff');
    }
    expect((await fetch(`${server.origin}/view/assets/nothing.js`)).status).to.equal(404);
    expect((await fetch(`${server.origin}/view/assets/app.js`)).headers.get('content-type')).to.match(/^text\/javascript/);
  });

  it('serves only the files of its table, whatever the request names', async () => {
    for (const attempt of ['..%2F..%2Fpackage.json', '%2E%2E%2Fpage_assets.js', 'index.html%00.js', 'constructor', '__proto__']) {
      const response = await fetch(`${server.origin}/view/assets/${attempt}`);
      expect(response.status, attempt).to.be.oneOf([400, 404]);
    }
  });

  it('refuses malformed action bodies with 400 naming the field, before anything reaches the module', async () => {
    const before = server.host.statuses.length;
    const missing = await post(server, 'control', { control: 'brightness' });
    expect(missing).to.deep.include({ status: 400, body: { error: "missing field 'value'", field: 'value' } });
    const unknown = await post(server, 'control', { control: 'brightness', value: 1, extra: true });
    expect(unknown.body).to.deep.equal({ error: "unknown field 'extra'", field: 'extra' });
    const badConfig = await post(server, 'config', { record: { fps: -1 } });
    expect(badConfig).to.deep.include({ status: 400 });
    expect(badConfig.body.field).to.equal('record.fps');
    expect((await post(server, 'config', {})).status).to.equal(400);
    expect((await post(server, 'reprobe', { now: true })).status).to.equal(400);
    const notJson = await fetch(`${server.origin}/view/api/control`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{nope' });
    expect(notJson.status).to.equal(400);
    expect(server.host.statuses.length).to.equal(before);
  });

  it('answers 422 with the module\'s error status when the module refuses a command', async () => {
    const refused = await post(server, 'control', { control: 'brightness', value: 10 });
    expect(refused.status).to.equal(422);
    expect(refused.body.error).to.deep.include({ code: -1014, command: 'control_change' });
    const statuses = refused.body.statuses as Array<{ command_id: string }>;
    expect(statuses.map((s) => s.command_id)).to.deep.equal([refused.body.command_id]);
  });

  it('applies a config change through apply_config and reports what changed', async () => {
    const applied = await post(server, 'config', { record: { jpeg_quality: 70 } });
    expect(applied.status).to.equal(200);
    const statuses = applied.body.statuses as Array<{ status: string; data: { applied: string[] } }>;
    expect(statuses.map((s) => s.status)).to.deep.equal(['config_applied']);
    expect(statuses[0]?.data.applied).to.deep.equal(['record.jpeg_quality']);
    expect(server.source.config().record.jpeg_quality).to.equal(70);
  });

  it('keeps trial control off by default: 403 and no trial', async () => {
    const start = await post(server, 'trial/start', { trial_number: 1 });
    expect(start).to.deep.include({ status: 403 });
    expect(String(start.body.error)).to.contain('view.allow_trial_control');
    expect((await post(server, 'trial/stop', {})).status).to.equal(403);
    expect(server.source.status().recording).to.equal(false);
  });

  it('streams the camera\'s JPEG frames unchanged at preview.fps', async () => {
    const parts = await readPreview(server, 2000, readPart);
    expect(parts.length).to.be.within(14, 24);
    for (const part of parts) {
      expect(isJpeg(part.bytes)).to.equal(true);
      expect(Number(part.headers['content-length'])).to.equal(part.bytes.length);
    }
    const stamps = parts.map((p) => BigInt(p.headers['x-sensor-timestamp-ns'] ?? '0'));
    expect(new Set(stamps).size).to.equal(stamps.length);
    const snapshot = Buffer.from(await (await fetch(`${server.origin}/view/api/snapshot.jpg`)).arrayBuffer());
    expect(isJpeg(snapshot)).to.equal(true);
    await sleep(100);
    expect(server.handle.runtime.channel.hub.stats().filter((s) => s.name.startsWith('preview-')), 'no subscriber left behind').to.deep.equal([]);
  });

  it('streams the plots\' history and the state at once, then one metrics sample a second that agrees with get_status', async () => {
    await server.host.request('record', { trial_number: 4, trial_label: 'routes' });
    await sleep(1200);
    const events = await readEvents(server, 4);
    expect(events.map((e) => e.event)).to.deep.equal(['history', 'metrics', 'metrics', 'metrics']);
    const [, now, first, second] = events.map((e) => e.data as MetricsSample);
    if (!now || !first || !second) throw new Error('no samples');
    expect(now).to.deep.include({ interim: true, state: 'recording', trial_number: 4 });
    expect([first.interim, second.interim]).to.deep.equal([false, false]);
    expect(second.time_ms - first.time_ms).to.be.within(800, 1300);
    const [report] = await server.host.request('get_status');
    if (report?.status !== 'status_report') throw new Error('no status_report');
    expect(second).to.deep.include({ state: 'recording', camera: 'live', trial_number: 4, trial_label: 'routes', current_file: report.data.current_file });
    expect(second.capture_fps).to.be.closeTo(30, 4);
    expect(second.disk?.available_bytes).to.be.greaterThan(0);
    expect(second.health.camera).to.equal('ok');
    await server.host.request('pause');
  });

  it('gives a page opened during a trial the trial\'s plots and histogram from its first second, and no interval the CSV lacks', async () => {
    // A page was open before, and closed: the tap's last frame from then must not make an interval now.
    await readEvents(server, 2);
    await sleep(1500);
    const started = Date.now();
    await server.host.request('record', { trial_number: 5, trial_label: 'late page' });
    await sleep(4500);
    const [historyEvent] = await readEvents(server, 1);
    const history = historyEvent?.data as MetricsHistory;
    const elapsed = (Date.now() - started) / 1000;
    expect(history.trial_number).to.equal(5);
    expect(history.seconds_per_point).to.equal(1);
    expect(history.points.length, 'one point a second since the trial started').to.be.within(Math.floor(elapsed) - 1, Math.ceil(elapsed));
    expect(history.points[0]?.time_ms).to.be.within(started, started + 1500);
    const [report] = await server.host.request('get_status');
    if (report?.status !== 'status_report') throw new Error('no status_report');
    const recorded = report.data.frames_recorded ?? 0;
    expect(history.histogram?.total, 'every interval of the trial so far').to.be.within(recorded - 35, recorded + 2);
    const longest = (history.histogram?.first_ms ?? 0) + (history.histogram?.counts.length ?? 0) * (history.histogram?.bin_ms ?? 1);
    expect(longest, 'no interval longer than the synthetic camera\'s').to.be.below(60);
    for (const point of history.points.slice(1)) expect(point.jitter_ms ?? 0).to.be.below(15);
    await server.host.request('pause');
  });

  it('tells the page at once when the camera is lost and when it is back, however short the outage', async () => {
    const presence = (e: { event: string; data: unknown }): string | null => (e.event === 'metrics' ? (e.data as MetricsSample).camera : null);
    const watching = readEvents(server, 100, (events) => {
      const seen = events.map(presence);
      const lost = seen.indexOf('lost');
      return lost >= 0 && seen.indexOf('live', lost) > lost;
    });
    await sleep(300);
    process.kill(captureChildPid('testsrc2'), 'SIGKILL');
    const events = await watching;
    const lost = events.find((e) => presence(e) === 'lost')?.data as MetricsSample;
    expect(lost).to.deep.include({ interim: true, camera: 'lost', capture_fps: null });
    expect(lost.health.camera).to.equal('bad');
    expect(events.map(presence).lastIndexOf('live')).to.be.greaterThan(events.map(presence).indexOf('lost'));
  });
});

describe('trial control from the page when view.allow_trial_control is true', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ViewServer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cams-view-trials-'));
    server = await startViewServer({
      config: { storage: { base_path: dir }, telemetry: { emit_interval_ms: 0 }, guard: { disk_free_gb_min: 0.1 }, view: { allow_trial_control: true } },
    });
    await server.host.request('assign_device', synthetic('synthetic:320x240@30'));
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts and stops a trial through start_recording and stop_recording', async () => {
    const started = await post(server, 'trial/start', { trial_number: 3, trial_label: 'from the page' });
    expect(started.status).to.equal(200);
    const startStatuses = started.body.statuses as Array<{ status: string; data: Record<string, unknown> }>;
    expect(startStatuses.find((s) => s.status === 'recording_started')?.data).to.deep.include({ trial_number: 3, trial_label: 'from the page' });
    await sleep(500);
    const again = await post(server, 'trial/start', { trial_number: 4 });
    expect(again.status).to.equal(422);
    expect(again.body.error).to.deep.include({ code: -1006 });
    const stopped = await post(server, 'trial/stop', {});
    expect(stopped.status).to.equal(200);
    const stopStatuses = stopped.body.statuses as Array<{ status: string; data: Record<string, unknown> }>;
    expect(stopStatuses.find((s) => s.status === 'recording_stopped')?.data.frames_recorded).to.be.greaterThan(5);
    expect(server.source.status().recording).to.equal(false);
  });

  it('ends its open preview and metrics streams when the server closes, instead of waiting for them', async () => {
    const preview = http.get(`${server.origin}/view/api/preview.mjpeg`, (response) => response.resume());
    preview.on('error', () => undefined);
    const metrics = http.get(`${server.origin}/view/api/metrics`, (response) => response.resume());
    metrics.on('error', () => undefined);
    await sleep(500);
    const started = Date.now();
    await server.app.close();
    expect(Date.now() - started).to.be.below(1000);
    expect(server.handle.runtime.channel.hub.stats().map((s) => s.name)).to.deep.equal([]);
  });
});

describe('a preview page that stops reading', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ViewServer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cams-view-slow-'));
    server = await startViewServer({
      config: { storage: { base_path: dir }, telemetry: { emit_interval_ms: 0 }, guard: { disk_free_gb_min: 0.1 }, preview: { fps: 30 } },
    });
    await server.host.request('assign_device', synthetic('synthetic:1280x720@30'));
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loses its own frames (drop_oldest, at most 2 waiting), never the recording\'s', async () => {
    await server.host.request('record', { trial_number: 1 });
    const request = http.get(`${server.origin}/view/api/preview.mjpeg`, (response) => response.pause());
    const preview = (): { queuedFrames: number; dropped: number } | undefined =>
      server.handle.runtime.channel.hub.stats().find((s) => s.name.startsWith('preview-'));
    let maxQueued = 0;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (preview()?.dropped ?? 0) < 10) {
      maxQueued = Math.max(maxQueued, preview()?.queuedFrames ?? 0);
      await sleep(50);
    }
    expect(preview()?.dropped, 'frames the stalled page lost').to.be.at.least(10);
    expect(maxQueued).to.be.at.most(2);
    request.destroy();
    const [stopped] = await server.host.request('pause');
    expect(stopped?.status === 'recording_stopped' && stopped.data.frames_dropped).to.equal(0);
  });
});
