import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Fastify, { type FastifyInstance } from 'fastify';
import { protectHttpApp } from '../../../src/http/protect.js';
import { registerViewRoutes } from '../../../src/view/view_routes.js';
import type { ViewSource } from '../../../src/view/view_source.js';
import { buildHttpApp, isLoopback } from '../../../src/http/server.js';
import { SECURITY_HEADERS } from '../../../src/http/security_headers.js';

/** Listens on loopback (the guard needs the port) and returns the Host header that names it. */
async function listen(app: FastifyInstance): Promise<{ host: string; port: number }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, port };
}

describe('HTTP server', () => {
  it('treats only loopback addresses as loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(host), host).to.equal(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.org', '128.0.0.1']) expect(isLoopback(host), host).to.equal(false);
  });

  it('refuses to bind beyond loopback without a token, and an empty token', () => {
    expect(() => buildHttpApp({ host: '0.0.0.0' })).to.throw(/set http.token/);
    expect(() => buildHttpApp({ host: '127.0.0.1', token: '' })).to.throw(/must not be empty/);
    expect(() => buildHttpApp({ host: '0.0.0.0', token: 'long-enough' })).to.not.throw();
    expect(() => buildHttpApp({ allowedHosts: ['cam.lab.example:8765', 'proxy.example'] })).to.not.throw();
    expect(() => buildHttpApp({ allowedHosts: ['http://cam.lab.example/'] })).to.throw(/http.allowed_hosts: 'http:\/\/cam.lab.example\/' is not a host name/);
  });

  it('checks the bearer token, limits the body, validates with the project schemas and answers unknown routes with 404', async () => {
    const app = buildHttpApp({ token: 'secret-token', bodyLimit: 1024, strictResponses: true });
    app.post('/echo', { schema: { body: { $ref: 'http/clip_request.schema.json' } } }, async (request) => ({ ok: true, body: request.body }));
    const { host } = await listen(app);
    const auth = { authorization: 'Bearer secret-token', host };
    expect((await app.inject({ method: 'POST', url: '/echo', payload: {}, headers: { host } })).statusCode).to.equal(401);
    expect((await app.inject({ method: 'POST', url: '/echo', payload: {}, headers: { authorization: 'Bearer secret-tokeN', host } })).statusCode).to.equal(401);
    expect((await app.inject({ method: 'POST', url: '/echo', payload: { label: 'a' }, headers: auth })).statusCode).to.equal(200);
    const invalid = await app.inject({ method: 'POST', url: '/echo', payload: { label: 5 }, headers: auth });
    expect(invalid.statusCode).to.equal(400);
    expect(invalid.json()).to.deep.equal({ ok: false, message: "body: field 'label' must be string,null" });
    const big = await app.inject({ method: 'POST', url: '/echo', payload: { label: 'x'.repeat(2000) }, headers: auth });
    expect(big.statusCode).to.equal(413);
    expect(big.json()).to.include({ ok: false });
    const missing = await app.inject({ method: 'GET', url: '/nope', headers: auth });
    expect(missing.statusCode).to.equal(404);
    expect(missing.json()).to.deep.equal({ ok: false, message: 'no route GET /nope' });
    await app.close();
  });

  it('lets a browser in with the token once in the URL: it becomes an HttpOnly, SameSite=Strict cookie named after the port', async () => {
    const app = buildHttpApp({ token: 'secret-token' });
    app.get('/page', async () => ({ ok: true }));
    const { host, port } = await listen(app);
    const get = (url: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, headers: { host, ...headers } });
    expect((await get('/page')).statusCode).to.equal(401);
    expect((await get('/page?token=wrong-token!')).statusCode).to.equal(401);
    const first = await get('/page?token=secret-token');
    expect(first.statusCode).to.equal(200);
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).to.equal(`cameras_usb2_token_${port}=secret-token; HttpOnly; SameSite=Strict; Path=/`);
    expect((await get('/page', { cookie: `other=1; cameras_usb2_token_${port}=secret-token` })).statusCode).to.equal(200);
    expect((await get('/page', { cookie: `cameras_usb2_token_${port}=secret-tokeX` })).statusCode).to.equal(401);
    // Another port's cookie (another module, or the name before it was per port) lets nobody in.
    expect((await get('/page', { cookie: `cameras_usb2_token_${port + 1}=secret-token` })).statusCode).to.equal(401);
    expect((await get('/page', { cookie: 'cameras_usb2_token=secret-token' })).statusCode).to.equal(401);
    await app.close();
  });

  it('refuses a foreign Host before the token check, and every request until it listens', async () => {
    const app = buildHttpApp({ token: 'secret-token' });
    app.get('/page', async () => ({ ok: true }));
    await app.ready();
    const early = await app.inject({ method: 'GET', url: '/page', headers: { authorization: 'Bearer secret-token' } });
    expect(early.statusCode).to.equal(421);
    const { port } = await listen(app);
    const foreign = await app.inject({ method: 'GET', url: '/page', headers: { authorization: 'Bearer secret-token', host: `evil.test:${port}` } });
    expect(foreign.statusCode).to.equal(421);
    expect(foreign.json()).to.deep.include({ ok: false });
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(foreign.headers[name.toLowerCase()], name).to.equal(value);
    await app.close();
  });

  it('mounts the web view only on a protected server; protectHttpApp protects a fastify server of one\'s own', async () => {
    const bare = Fastify();
    const unused = {} as ViewSource;
    let refused: unknown = null;
    await registerViewRoutes(bare, unused).catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(Error);
    expect(String(refused)).to.match(/request guard .* buildHttpApp\(\), or call protectHttpApp/);
    await bare.close();

    const own = Fastify();
    protectHttpApp(own, { bindHost: '127.0.0.1' });
    own.post('/act', async () => ({ ok: true }));
    const { host } = await listen(own);
    const act = (headers: Record<string, string>) =>
      own.inject({ method: 'POST', url: '/act', payload: '{}', headers: { 'content-type': 'application/json', host, ...headers } });
    expect((await act({})).statusCode).to.equal(200);
    expect((await act({ host: 'rebind.test:80' })).statusCode).to.equal(421);
    expect((await act({ origin: 'http://evil.test' })).statusCode).to.equal(403);
    const plain = await act({ 'content-type': 'text/plain' });
    expect(plain.statusCode).to.equal(415);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(plain.headers[name.toLowerCase()], name).to.equal(value);
    await own.close();
  });
});
