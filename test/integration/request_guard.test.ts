import { expect } from 'chai';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { rawRequest, type RawAnswer, type RawRequest } from '../helpers/raw_http.js';

/**
 * The real module's server (web view + clip API + ring on the synthetic camera), asked with
 * raw requests a hostile page or client could make: each refusal must come before any route
 * runs and change nothing.
 */
describe('the module\'s HTTP server refuses foreign hosts, foreign origins and requests that are not JSON', function () {
  this.timeout(60_000);
  let m: LiveModule;
  let url: string;
  let port: number;
  const ask = (request: RawRequest): Promise<RawAnswer> => rawRequest(url, request);
  const own = (): Record<string, string> => ({ host: `127.0.0.1:${port}` });
  const segmentIds = async (): Promise<string[]> =>
    (JSON.parse((await ask({ path: '/segments', headers: own() })).body) as { segments: Array<{ id: string }> }).segments.map((s) => s.id);
  const jpegQuality = (): number => m.handle.runtime.currentConfig.record.jpeg_quality;

  before(async () => {
    m = await startLiveModule({ http: { enabled: true, allowed_hosts: ['cam.lab.example'] }, segments: { enabled: true, segment_seconds: 3600 } });
    const ready = m.statuses.find((s) => s.status === 'ready');
    url = ready?.status === 'ready' ? ready.data.http_url ?? '' : '';
    port = Number(new URL(url).port);
    m.one(await m.send('assign_device', synthetic('synthetic:320x240@30')), 'device_ready');
    await sleep(1500);
  });
  after(async () => m?.close());

  it('answers 421 to a Host that does not name it (DNS rebinding), before any route runs', async () => {
    for (const host of [`evil.test:${port}`, `rebind.test:${port}`, `127.0.0.1:${port + 1}`, 'localhost']) {
      for (const path of ['/api/state', '/api/snapshot.jpg', '/segments', '/health', '/', '/api/preview.mjpeg', '/api/metrics']) {
        const answer = await ask({ path, headers: { host } });
        expect(answer.status, `${host} ${path}`).to.equal(421);
        expect(JSON.parse(answer.body), `${host} ${path}`).to.deep.include({ ok: false });
        expect(answer.body).to.not.contain('"status"').and.not.contain('segments');
      }
    }
    const before = await segmentIds();
    const posted = await ask({ method: 'POST', path: '/force_rotate', headers: { host: `rebind.test:${port}`, 'content-type': 'application/json' }, body: '{}' });
    expect(posted.status).to.equal(421);
    expect(await segmentIds()).to.deep.equal(before);
    // http.allowed_hosts: a name a reverse proxy forwards, exactly as it sends it.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, 'cam.lab.example']) {
      expect((await ask({ path: '/api/state', headers: { host } })).status, host).to.equal(200);
    }
  });

  it('answers 403 to a state change from a foreign Origin and changes nothing', async () => {
    const quality = jpegQuality();
    const statuses = m.statuses.length;
    const segments = await segmentIds();
    const json = { ...own(), 'content-type': 'application/json' };
    for (const origin of ['http://evil.test', `http://rebind.test:${port}`, 'null', `http://localhost:${port}`]) {
      const config = await ask({ method: 'POST', path: '/api/config', headers: { ...json, origin }, body: JSON.stringify({ record: { jpeg_quality: quality === 55 ? 56 : 55 } }) });
      expect(config.status, origin).to.equal(403);
      expect(JSON.parse(config.body).message, origin).to.match(/Origin .* is not this server/);
      expect((await ask({ method: 'POST', path: '/force_rotate', headers: { ...json, origin }, body: '{}' })).status, origin).to.equal(403);
    }
    expect(jpegQuality()).to.equal(quality);
    expect(m.statuses.length).to.equal(statuses);
    expect(await segmentIds()).to.deep.equal(segments);
    // Reads stay open to the page's own origin and cross-origin reads are the browser's to block.
    expect((await ask({ path: '/api/state', headers: { ...own(), origin: 'http://evil.test' } })).status).to.equal(200);
  });

  it('answers 415 to state changes that are not JSON (text/plain, forms, no body) and 403 to the preflight', async () => {
    const segments = await segmentIds();
    const quality = jpegQuality();
    const refused: RawRequest[] = [
      { method: 'POST', path: '/force_rotate', headers: { ...own(), 'content-type': 'text/plain' }, body: '{}' },
      { method: 'POST', path: '/force_rotate', headers: own() },
      { method: 'POST', path: '/force_rotate', headers: { ...own(), 'content-length': '0' } },
      { method: 'POST', path: '/api/config', headers: { ...own(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'record%5Bjpeg_quality%5D=55' },
      { method: 'POST', path: '/api/config', headers: { ...own(), 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n' },
      { method: 'POST', path: '/api/reprobe', headers: { ...own(), 'content-type': 'text/plain;charset=UTF-8' }, body: '{}' },
      { method: 'DELETE', path: '/clip/x', headers: own() },
    ];
    for (const request of refused) {
      const answer = await ask(request);
      expect(answer.status, `${request.method} ${request.path} ${request.headers?.['content-type']}`).to.equal(415);
      expect(JSON.parse(answer.body).message).to.contain('application/json');
    }
    const preflight = await ask({
      method: 'OPTIONS', path: '/force_rotate',
      headers: { ...own(), origin: 'http://evil.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).to.equal(403);
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).to.deep.equal([]);
    expect(await segmentIds()).to.deep.equal(segments);
    expect(jpegQuality()).to.equal(quality);

    // The same requests as JSON from the page's own origin go through.
    const rotated = await ask({ method: 'POST', path: '/force_rotate', headers: { ...own(), origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' }, body: '{}' });
    expect(rotated.status).to.equal(200);
    expect(JSON.parse(rotated.body)).to.deep.include({ ok: true });
    expect((await ask({ method: 'POST', path: '/force_rotate', headers: { ...own(), 'content-type': 'application/json' }, body: '{"now":true}' })).status).to.equal(400);
  });
});
