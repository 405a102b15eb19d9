import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './helpers/chromium.js';

/** The few DOM types the page scripts below use (the project compiles without the DOM library). */
interface Img { src: string; naturalWidth: number; naturalHeight: number; onload: (() => void) | null; onerror: (() => void) | null }
interface Input { name: string; value: string }
interface Form { method: string; action: string; enctype: string; append(node: Input): void; submit(): void }
interface PageDocument {
  createElement(tag: 'img'): Img;
  createElement(tag: 'form'): Form;
  createElement(tag: 'input'): Input;
  readonly body: { append(node: Img | Form): void };
}

interface Seen {
  readonly status: number | string;
  readonly body: string;
}

/** Runs in the page: what each same-origin request answered (or the error that stopped it). */
async function tryAll(page: Page, requests: ReadonlyArray<{ path: string; method?: string; body?: string; type?: string; mode?: string }>): Promise<Seen[]> {
  return page.evaluate(async (list) => Promise.all(list.map(async ({ path, method, body, type, mode }) => {
    try {
      const init: Record<string, unknown> = { method: method ?? 'GET', cache: 'no-store' };
      if (body !== undefined) init['body'] = body;
      if (type !== undefined) init['headers'] = { 'Content-Type': type };
      if (mode !== undefined) init['mode'] = mode;
      const response = await fetch(path, init);
      return { status: response.type === 'opaque' ? 'opaque' : response.status, body: (await response.text()).slice(0, 2000) };
    } catch (err) {
      return { status: 'failed', body: String(err) };
    }
  })), requests);
}

/**
 * A hostile page in Debian's chromium against the real module's server on loopback (no
 * token: the default). Two attacks: DNS rebinding (the page's own origin is a foreign name
 * that now resolves to 127.0.0.1, so the module looks same-origin to the browser) and plain
 * cross-site requests from a page on another name (an <img> of the live preview, simple
 * POSTs that need no preflight, a JSON POST that does).
 */
describe('a hostile web page in a real browser cannot use the module', function () {
  this.timeout(90_000);
  let m: LiveModule;
  let port: number;
  let moduleOrigin: string;
  let attacker: http.Server;
  let attackerOrigin: string;
  let browser: LaunchedBrowser;

  const segmentIds = async (): Promise<string[]> =>
    ((await (await fetch(`${moduleOrigin}/segments`)).json()) as { segments: Array<{ id: string }> }).segments.map((s) => s.id);
  const jpegQuality = (): number => m.handle.runtime.currentConfig.record.jpeg_quality;

  before(async function () {
    if (chromiumMissing()) this.skip();
    m = await startLiveModule({ http: { enabled: true }, segments: { enabled: true, segment_seconds: 3600 }, preview: { fps: 10 } });
    const ready = m.statuses.find((s) => s.status === 'ready');
    moduleOrigin = ready?.status === 'ready' ? ready.data.http_url ?? '' : '';
    port = Number(new URL(moduleOrigin).port);
    m.one(await m.send('assign_device', synthetic('synthetic:320x240@15')), 'device_ready');
    // The attacker's own site: an empty page its scripts run in.
    attacker = http.createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>attacker</title><p>hello</p>');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://attacker.test:${(attacker.address() as AddressInfo).port}`;
    browser = await launchChromium({
      args: [
        '--host-resolver-rules=MAP rebind.test 127.0.0.1, MAP attacker.test 127.0.0.1',
        // Recent Chromium also refuses a public page's requests to loopback (Private/Local
        // Network Access); other browsers and older ones do not, so the server must hold alone.
        '--disable-features=HttpsUpgrades,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
      ],
    });
    await sleep(1000);
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
    await m?.close();
  });

  it('a page whose foreign name now resolves to loopback (DNS rebinding) reads nothing and changes nothing', async () => {
    const page = await browser.context.newPage();
    // The attacker's server answered the first lookup; every later request of the page reaches the module.
    const rebound = `http://rebind.test:${port}/`;
    await page.route(rebound, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }));
    await page.goto(rebound);
    expect(new URL(page.url()).origin).to.equal(`http://rebind.test:${port}`);
    const segments = await segmentIds();
    const quality = jpegQuality();
    const json = 'application/json';
    const seen = await tryAll(page, [
      { path: '/api/state' }, { path: '/api/snapshot.jpg' }, { path: '/segments' }, { path: '/health' },
      { path: '/api/config', method: 'POST', type: json, body: JSON.stringify({ record: { jpeg_quality: quality === 55 ? 56 : 55 } }) },
      { path: '/force_rotate', method: 'POST', type: json, body: '{}' },
      { path: '/force_rotate', method: 'POST', type: 'text/plain', body: '{}' },
    ]);
    for (const answer of seen) {
      expect(answer.status).to.equal(421);
      expect(answer.body).to.not.match(/capabilities|"segments"|JFIF|timebase|statuses/);
    }
    expect(await segmentIds()).to.deep.equal(segments);
    expect(jpegQuality()).to.equal(quality);
    await page.close();
  });

  it('the module\'s own page, in the same browser, still reads and changes what it may', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${moduleOrigin}/`);
    const [state, rotated] = await tryAll(page, [{ path: '/api/state' }, { path: '/force_rotate', method: 'POST', type: 'application/json', body: '{}' }]);
    expect(state?.status).to.equal(200);
    expect(state?.body).to.contain('capabilities');
    expect(rotated?.status).to.equal(200);
    await page.close();
  });

  it('a page on another site can neither show the live preview in an <img> nor post without a refused preflight', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${attackerOrigin}/`);
    const loaded = await page.evaluate(async (base) => {
      const document = (globalThis as unknown as { document: PageDocument }).document;
      const load = (src: string): Promise<string> => new Promise((resolve) => {
        const img = document.createElement('img');
        const timer = setTimeout(() => resolve(`pending ${img.naturalWidth}x${img.naturalHeight}`), 4000);
        img.onload = () => {
          clearTimeout(timer);
          resolve(`loaded ${img.naturalWidth}x${img.naturalHeight}`);
        };
        img.onerror = () => {
          clearTimeout(timer);
          resolve('error');
        };
        img.src = src;
        document.body.append(img);
      });
      return [await load(`${base}/api/preview.mjpeg`), await load(`${base}/api/snapshot.jpg`)];
    }, moduleOrigin);
    expect(loaded).to.deep.equal(['error', 'error']);

    const segments = await segmentIds();
    const quality = jpegQuality();
    const statuses = m.statuses.length;
    const seen = await tryAll(page, [
      { path: `${moduleOrigin}/force_rotate`, method: 'POST', type: 'text/plain', body: '{}', mode: 'no-cors' },
      { path: `${moduleOrigin}/force_rotate`, method: 'POST', mode: 'no-cors' },
      { path: `${moduleOrigin}/api/config`, method: 'POST', type: 'application/x-www-form-urlencoded', body: 'record=1', mode: 'no-cors' },
      { path: `${moduleOrigin}/api/config`, method: 'POST', type: 'application/json', body: JSON.stringify({ record: { jpeg_quality: 55 } }) },
      { path: `${moduleOrigin}/force_rotate`, method: 'POST', type: 'application/json', body: '{}' },
      { path: `${moduleOrigin}/api/state` },
    ]);
    // Simple requests reach the server (which refuses them; their answers are blocked by its
    // Cross-Origin-Resource-Policy); the JSON ones stop at the refused preflight.
    expect(seen.map((answer) => answer.status)).to.deep.equal(['failed', 'failed', 'failed', 'failed', 'failed', 'failed']);
    // A form posted by the page (a navigation, no script involved).
    await page.evaluate((base) => {
      const document = (globalThis as unknown as { document: PageDocument }).document;
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = `${base}/force_rotate`;
      form.enctype = 'text/plain';
      const input = document.createElement('input');
      input.name = '{"a":"';
      input.value = '"}';
      form.append(input);
      document.body.append(form);
      form.submit();
    }, moduleOrigin);
    await page.waitForLoadState('load');
    await sleep(300);
    expect(await segmentIds()).to.deep.equal(segments);
    expect(jpegQuality()).to.equal(quality);
    expect(m.statuses.length).to.equal(statuses);
    await page.close();
  });
});
