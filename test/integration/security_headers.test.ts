import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../../src/http/server.js';
import { moduleRoutePlugins } from '../../src/http/module_http.js';
import { SECURITY_HEADERS } from '../../src/http/security_headers.js';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { rawRequest, type RawAnswer, type RawRequest } from '../helpers/raw_http.js';

/** A value for each route parameter, so every registered route can be asked. */
const PARAMS: Readonly<Record<string, string>> = { file: 'app.js', clip_id: 'no-such-clip' };

function concretePath(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, (_match, name: string) => PARAMS[name] ?? 'x').replace(/\*$/, 'x');
}

function expectSecurityHeaders(answer: RawAnswer, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(answer.headers[name.toLowerCase()], `${what} (${answer.status}): ${name}`).to.equal(value);
  }
}

async function listen(app: FastifyInstance): Promise<{ origin: string; host: string }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` };
}

/**
 * Every route the module's server registers (collected by fastify's onRoute, so a route added
 * later is walked too), and every way a request can be refused, answers with the same security
 * headers: the live preview and the metrics stream included, so no other site can embed them.
 */
describe('every response of the module\'s server carries the security headers', function () {
  this.timeout(60_000);
  let m: LiveModule;
  let app: FastifyInstance;
  let origin: string;
  let host: string;
  const routes: Array<{ method: string; url: string }> = [];

  before(async () => {
    m = await startLiveModule({});
    m.one(await m.send('assign_device', synthetic('synthetic:320x240@15')), 'device_ready');
    await sleep(500);
    app = buildHttpApp({ strictResponses: true });
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    });
    // No ring: the clip routes answer 503, which must carry the headers as much as a 200.
    for (const plugin of moduleRoutePlugins(m.handle, { current: () => null, camera: () => null })) await app.register(plugin);
    ({ origin, host } = await listen(app));
  });
  after(async () => {
    await app?.close();
    await m?.close();
  });

  it('on each registered route, streams included', async () => {
    expect(routes.map((route) => `${route.method} ${route.url}`)).to.include.members(['GET /api/preview.mjpeg', 'GET /api/metrics', 'POST /force_rotate', 'GET /health']);
    const statuses = new Set<number>();
    for (const route of routes) {
      const request: RawRequest = route.method === 'GET' || route.method === 'HEAD'
        ? { method: route.method, path: concretePath(route.url), headers: { host } }
        : { method: route.method, path: concretePath(route.url), headers: { host, 'content-type': 'application/json' }, body: '{}' };
      const answer = await rawRequest(origin, request);
      statuses.add(answer.status);
      expectSecurityHeaders(answer, `${route.method} ${route.url}`);
    }
    expect([...statuses]).to.include.members([200, 400, 403, 503]);
    const preview = await rawRequest(origin, { path: '/api/preview.mjpeg', headers: { host } });
    expect(preview.headers['content-type']).to.match(/^multipart\/x-mixed-replace/);
    expect(preview.headers['cross-origin-resource-policy']).to.equal('same-origin');
  });

  it('on unknown routes, refusals and malformed requests', async () => {
    const json = { host, 'content-type': 'application/json' };
    const cases: Array<[RawRequest, number]> = [
      [{ path: '/nothing-here', headers: { host } }, 404],
      [{ path: '/api/state', headers: { host: 'rebind.test:1' } }, 421],
      [{ method: 'OPTIONS', path: '/api/config', headers: { host, origin: 'http://evil.test' } }, 403],
      [{ method: 'POST', path: '/api/config', headers: { ...json, origin: 'http://evil.test' }, body: '{}' }, 403],
      [{ method: 'POST', path: '/force_rotate', headers: { host, 'content-type': 'text/plain' }, body: '{}' }, 415],
      [{ method: 'POST', path: '/api/control', headers: json, body: '{nope' }, 400],
      [{ method: 'POST', path: '/clip', headers: json, body: '{' }, 400],
      [{ method: 'POST', path: '/api/config', headers: json, body: JSON.stringify({ x: 'y'.repeat(20_000) }) }, 413],
      [{ path: '/clip/%zz', headers: { host } }, 400],
    ];
    for (const [request, status] of cases) {
      const answer = await rawRequest(origin, request);
      const what = `${request.method ?? 'GET'} ${request.path} host=${request.headers?.['host'] ?? '-'}`;
      expect(answer.status, what).to.equal(status);
      expectSecurityHeaders(answer, what);
    }
  });

  it('on the 401 of a server with a token', async () => {
    const guarded = buildHttpApp({ token: 'secret-token-1' });
    try {
      for (const plugin of moduleRoutePlugins(m.handle, { current: () => null })) await guarded.register(plugin);
      const { origin, host } = await listen(guarded);
      for (const path of ['/', '/api/preview.mjpeg', '/segments']) {
        const answer = await rawRequest(origin, { path, headers: { host } });
        expect(answer.status, path).to.equal(401);
        expectSecurityHeaders(answer, path);
      }
    } finally {
      await guarded.close();
    }
  });
});
