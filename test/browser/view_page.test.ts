import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { LAB_PC } from '../helpers/fake_cameras.js';
import { installFakeV4l2Ctl, type FakeV4l2CtlInstall } from '../helpers/fake_v4l2_ctl.js';
import { captureChildPid } from '../helpers/capture_child.js';
import { synthetic } from '../helpers/live_module.js';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './helpers/chromium.js';
import { RecordedControlsProbe } from './helpers/recorded_controls_probe.js';
import { startViewServer, type ViewServer } from './helpers/view_server.js';

/** Screenshots of each run go here (gitignored). */
const OUTPUT_DIR = path.join(PACKAGE_ROOT, 'test-output', 'browser');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const isJpeg = (bytes: Buffer): boolean =>
  bytes.length > 100 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes.at(-2) === 0xff && bytes.at(-1) === 0xd9;

/**
 * The web view in Debian's chromium (headless, playwright-core) against the real module
 * capturing the synthetic 640x480@30 camera through ffmpeg; the camera's controls are a
 * C920's, answered by the recorded-output v4l2-ctl (see RecordedControlsProbe).
 */
describe('the web view in a real browser', function () {
  this.timeout(60_000);
  let dir: string;
  let fake: FakeV4l2CtlInstall;
  let server: ViewServer;
  let browser: LaunchedBrowser;
  let page: Page;
  const problems: string[] = [];
  const savedPath = process.env.PATH;

  const metric = (testid: string): Promise<string | null> => page.getAttribute(`[data-testid="${testid}"]`, 'data-value');
  const shownFrame = (): Promise<string | null> => page.getAttribute('[data-testid="preview"]', 'data-sensor-timestamp-ns');
  const screenshot = (name: string): Promise<Buffer> => page.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`), fullPage: true });

  before(async function () {
    const missing = chromiumMissing();
    if (missing) this.skip();
    mkdirSync(OUTPUT_DIR, { recursive: true });
    dir = mkdtempSync(path.join(tmpdir(), 'cams-view-browser-'));
    fake = installFakeV4l2Ctl(dir, LAB_PC);
    process.env.PATH = `${fake.binDir}${path.delimiter}${savedPath ?? ''}`;
    server = await startViewServer({
      config: {
        storage: { base_path: path.join(dir, 'rec') }, telemetry: { emit_interval_ms: 0 }, guard: { disk_free_gb_min: 0.1 },
        capture: { reconnect_initial_ms: 1000, reconnect_max_ms: 2000 },
      },
      overrides: { DeviceProbe: new RecordedControlsProbe() },
    });
    await server.host.request('assign_device', synthetic('synthetic:640x480@30'));
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      // The preview's stream is aborted on purpose when the page closes; anything else is a fault.
      if (!request.url().endsWith('preview.mjpeg')) problems.push(`request failed: ${request.url()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    process.env.PATH = savedPath;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with its security headers and no console error', async () => {
    const response = await page.goto(server.pageUrl);
    expect(response?.status()).to.equal(200);
    expect(response?.headers()['content-security-policy']).to.contain("script-src 'self'").and.not.contain('unsafe-inline');
    await page.waitForSelector('[data-testid="settings-form"][data-loaded="true"]');
    await until('the first metrics tick', () => page.getAttribute('[data-testid="metrics-bar"]', 'data-tick'));
    await sleep(500);
    expect(problems).to.deep.equal([]);
  });

  it('shows at least 5 distinct camera frames within 3 s', async () => {
    const seen = new Set<string>();
    const started = Date.now();
    while (Date.now() - started < 3000 && seen.size < 5) {
      const frame = await shownFrame();
      if (frame) seen.add(frame);
      await sleep(30);
    }
    expect(seen.size, 'distinct frames shown').to.be.at.least(5);
    const size = await page.$eval('[data-testid="preview"]', (element) => {
      const img = element as unknown as { naturalWidth: number; naturalHeight: number };
      return [img.naturalWidth, img.naturalHeight];
    });
    expect(size).to.deep.equal([640, 480]);
  });

  it('ticks the metrics every second and they agree with get_status', async () => {
    await server.host.request('record', { trial_number: 7, trial_label: 'baseline' });
    const first = await until('a tick while recording', async () => ((await metric('metric-trial')) === '7' ? page.getAttribute('[data-testid="metrics-bar"]', 'data-tick') : null));
    const second = await until('the next tick', async () => {
      const tick = await page.getAttribute('[data-testid="metrics-bar"]', 'data-tick');
      return tick !== first ? tick : null;
    }, 2500);
    expect(Number(second) - Number(first)).to.be.within(500, 2000);
    const [report] = await server.host.request('get_status');
    if (report?.status !== 'status_report') throw new Error('no status_report');
    expect(await metric('metric-state')).to.equal(report.data.state).and.equal('recording');
    expect(await page.textContent('[data-testid="metric-trial"] .value')).to.equal('#7 baseline');
    expect(await metric('metric-file')).to.equal(report.data.current_file);
    expect(Number(await metric('metric-dropped'))).to.equal(report.data.frames_dropped);
    expect(Number(await metric('metric-elapsed'))).to.be.closeTo(report.data.elapsed_seconds ?? -10, 1.5);
    expect(Number(await metric('metric-capture-fps'))).to.be.closeTo(30, 4);
    await until('record fps', async () => Number(await metric('metric-record-fps')) >= 28);
    expect(await page.getAttribute('[data-testid="metric-record-fps"]', 'data-health')).to.equal('ok');
    expect(Number(await metric('metric-disk'))).to.be.greaterThan(0);
    await until('the trial histogram', async () => Number(await page.getAttribute('[data-testid="plot-histogram"]', 'data-total')) > 10);
    await screenshot('recording');
    await server.host.request('pause');
  });

  it('sets a control from the form on the camera and shows the new value', async () => {
    const before = fake.calls().length;
    await page.fill('[data-testid="input-brightness"]', '200');
    await page.locator('[data-testid="input-brightness"]').blur();
    await until('brightness applied', async () => (await page.getAttribute('[data-testid="field-brightness"]', 'data-result')) === 'ok');
    expect(fake.calls().slice(before)).to.deep.equal(['-d /dev/video0 --set-ctrl=brightness=200']);
    expect(server.source.capabilities()?.controls.find((c) => c.name === 'brightness')?.value).to.equal(200);
    await until('the form shows the camera value', async () => (await page.inputValue('[data-testid="input-brightness"]')) === '200');
    expect(await page.textContent('[data-testid="error-brightness"]')).to.equal('');
  });

  it('shows the module\'s error next to an out-of-range value and changes nothing', async () => {
    const before = fake.calls().length;
    await page.fill('[data-testid="input-brightness"]', '300');
    await page.press('[data-testid="input-brightness"]', 'Enter');
    const error = await until('the error', async () => page.textContent('[data-testid="error-brightness"]'));
    expect(error).to.equal('brightness must be an integer from 0 to 255; got 300');
    expect(fake.calls().length).to.equal(before);
    expect(server.source.capabilities()?.controls.find((c) => c.name === 'brightness')?.value).to.equal(200);
    expect(await page.inputValue('[data-testid="input-brightness"]')).to.equal('200');
  });

  it('disables exposure while auto exposure is on, and enables it once set to manual', async () => {
    expect(await page.isDisabled('[data-testid="input-exposure_time_absolute"]')).to.equal(true);
    expect(await page.textContent('[data-testid="note-exposure_time_absolute"]')).to.contain('only while auto_exposure is 1 (Manual Mode)');
    await page.selectOption('[data-testid="input-auto_exposure"]', '1');
    await until('exposure enabled', async () => !(await page.isDisabled('[data-testid="input-exposure_time_absolute"]')));
    expect(fake.calls()).to.include('-d /dev/video0 --set-ctrl=auto_exposure=1');
    await screenshot('controls');
  });

  it('applies record settings through apply_config (no capture restart) and shows a refused value next to its own field', async () => {
    const releasedBefore = server.host.statuses.filter((m) => m.status === 'device_released').length;
    await page.fill('[data-testid="input-jpeg_quality"]', '70');
    await page.click('[data-testid="apply-record"]');
    await until('jpeg_quality applied', async () => server.host.statuses.some((m) => m.status === 'config_applied'));
    expect(server.source.config().record.jpeg_quality).to.equal(70);
    const applied = server.host.statuses.filter((m) => m.status === 'config_applied').at(-1);
    expect(applied?.status === 'config_applied' && applied.data).to.deep.include({ restarted_capture: false });
    expect(await page.textContent('[data-testid="error-record"]')).to.equal('');
    await page.fill('[data-testid="input-jpeg_quality"]', '0');
    await page.click('[data-testid="apply-record"]');
    const error = await until('the error', async () => page.textContent('[data-testid="error-jpeg_quality"]'));
    expect(error).to.equal("field 'record.jpeg_quality' must be >= 1");
    expect(await page.textContent('[data-testid="error-record"]'), 'not next to Apply').to.equal('');
    expect(server.source.config().record.jpeg_quality).to.equal(70);
    // The refused value stays in its box, marked, instead of silently turning back into the value in force.
    expect(await page.inputValue('[data-testid="input-jpeg_quality"]')).to.equal('0');
    expect(await page.getAttribute('[data-testid="input-jpeg_quality"]', 'aria-invalid')).to.equal('true');
    expect(await page.$$eval('[data-testid="input-mode"] option', (options) => options.map((o) => o.textContent))).to.deep.equal(['640×480 @ 30 fps mjpeg']);
    expect(server.host.statuses.filter((m) => m.status === 'device_released').length).to.equal(releasedBefore);
    await page.fill('[data-testid="input-jpeg_quality"]', '70');
    await page.click('[data-testid="apply-record"]');
    await until('the mark cleared', async () => (await page.getAttribute('[data-testid="input-jpeg_quality"]', 'aria-invalid')) === null);
    expect(await page.textContent('[data-testid="error-jpeg_quality"]')).to.equal('');
  });

  it('draws the whole trial in a page opened late, with the newest values in the legends and the settings in view', async () => {
    const started = Date.now();
    await server.host.request('record', { trial_number: 8, trial_label: 'late' });
    await sleep(6000);
    const late = await browser.context.newPage();
    try {
      await late.setViewportSize({ width: 1280, height: 800 });
      await late.goto(server.pageUrl);
      await late.waitForSelector('[data-testid="settings-form"][data-loaded="true"]');
      const points = Number(await until('the trial\'s points', () => late.getAttribute('[data-testid="plot-fps"]', 'data-points')));
      expect(points, 'a point a second since the trial began').to.be.at.least(5);
      const firstMs = Number(await late.getAttribute('[data-testid="plot-fps"]', 'data-first-ms'));
      expect(firstMs - started).to.be.within(0, 1600);
      const [report] = await server.host.request('get_status');
      if (report?.status !== 'status_report') throw new Error('no status_report');
      const total = Number(await late.getAttribute('[data-testid="plot-histogram"]', 'data-total'));
      expect(total, 'the histogram holds the trial\'s intervals, not the last few').to.be.above((report.data.frames_recorded ?? 0) - 60).and.above(120);
      expect(Number(await late.getAttribute('[data-testid="plot-histogram"]', 'data-longest-ms'))).to.be.below(60);
      // uPlot's legend shows a value only under the cursor, unless the page fills in the newest.
      const values = await late.$$eval('[data-testid="plot-fps"] .u-legend .u-series .u-value', (cells) => cells.map((c) => c.textContent ?? ''));
      expect(values.slice(1).map(Number).every((v) => v > 20 && v < 40), `legend values ${values.join(', ')}`).to.equal(true);
      const apply = await late.locator('[data-testid="apply-record"]').boundingBox();
      expect(apply, 'the Apply button is laid out').to.not.equal(null);
      expect((apply?.y ?? 1e9) + (apply?.height ?? 0), 'settings reachable without scrolling at 1280x800').to.be.at.most(800);
      await late.screenshot({ path: path.join(OUTPUT_DIR, 'late-page.png') });
    } finally {
      await late.close();
      await server.host.request('pause');
    }
  });

  it('downloads the newest frame, exactly as the camera sent it, as the snapshot', async () => {
    const recent: Buffer[] = [];
    const untap = server.handle.tapFrames('test-recent', (frame) => {
      recent.push(frame.data);
      if (recent.length > 60) recent.shift();
    });
    try {
      await sleep(300);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="snapshot-button"]')]);
      const file = await download.path();
      const bytes = readFileSync(file);
      expect(isJpeg(bytes), 'a JPEG from SOI to EOI').to.equal(true);
      expect(download.suggestedFilename()).to.match(/^snapshot_.*\.jpg$/);
      expect(recent.some((frame) => frame.equals(bytes)), 'byte-identical to a captured frame').to.equal(true);
    } finally {
      untap();
    }
  });

  it('says when the camera is lost and resumes the preview by itself after it returns', async () => {
    const readyBefore = server.host.statuses.filter((s) => s.status === 'device_ready').length;
    process.kill(captureChildPid('testsrc2'), 'SIGKILL');
    await until('the lost banner', async () => page.isVisible('[data-testid="camera-banner"]'), 2500);
    expect(await page.textContent('[data-testid="camera-banner"]')).to.contain('Camera lost');
    await screenshot('camera-lost');
    await until('device_ready again', async () => server.host.statuses.filter((s) => s.status === 'device_ready').length > readyBefore, 10_000);
    const lastBefore = await shownFrame();
    await until('the banner gone', async () => !(await page.isVisible('[data-testid="camera-banner"]')), 3000);
    const seen = new Set<string>();
    await until('new frames', async () => {
      const frame = await shownFrame();
      if (frame && frame !== lastBefore) seen.add(frame);
      return seen.size >= 5;
    }, 3000);
    // The refused control_change and apply_config above is answered 422, which chromium logs as a failed load.
    expect(problems).to.deep.equal([
      'console: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)',
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });

  it('reprobes the camera from its button and shows what the probe found', async () => {
    const before = fake.calls().length;
    await page.click('[data-testid="reprobe-button"]');
    const result = await until('the reprobe result', async () => page.textContent('[data-testid="reprobe-result"]'));
    const controls = server.source.capabilities()?.controls.length ?? 0;
    expect(controls).to.be.greaterThan(5);
    expect(result).to.equal(`1 modes, ${controls} controls`);
    expect(fake.calls().slice(before)).to.include('-d /dev/video0 --list-ctrls-menus');
  });
});
