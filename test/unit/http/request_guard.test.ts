import os from 'node:os';
import { expect } from 'chai';
import { acceptedHosts, checkRequest, parseHostHeader, type RequestFacts } from '../../../src/http/request_guard.js';

const PORT = 8765;
const loopback = acceptedHosts({ bindHost: '127.0.0.1' }, PORT);
const get = (host: string | undefined): RequestFacts => ({ method: 'GET', host, origin: undefined, contentType: undefined });
const post = (facts: Partial<RequestFacts>): RequestFacts => ({
  method: 'POST', host: `127.0.0.1:${PORT}`, origin: undefined, contentType: 'application/json', ...facts,
});
const reason = (facts: RequestFacts, accepted = loopback, localAddress?: string): string | null =>
  checkRequest(facts, accepted, PORT, localAddress)?.reason ?? null;

describe('request guard', () => {
  it('reads Host headers as name:port, 80 when none is named, and refuses what is not a host', () => {
    expect(parseHostHeader('LocalHost:8765')).to.equal('localhost:8765');
    expect(parseHostHeader('[::1]:8765')).to.equal('[::1]:8765');
    expect(parseHostHeader('example.test')).to.equal('example.test:80');
    for (const bad of ['', 'a:b', 'a:99999', 'a:0', 'user@127.0.0.1:8765', '127.0.0.1:8765/x', '::1:8765', 'a b']) {
      expect(parseHostHeader(bad), bad).to.equal(null);
    }
  });

  it('on loopback serves only the loopback names with the bound port', () => {
    for (const host of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`, `LOCALHOST:${PORT}`]) expect(reason(get(host)), host).to.equal(null);
    for (const host of [`evil.test:${PORT}`, `rebind.test:${PORT}`, '127.0.0.1', `127.0.0.1:${PORT + 1}`, `127.0.0.2:${PORT}`, `localhost.:${PORT}`, `${os.hostname()}:${PORT}`]) {
      expect(reason(get(host)), host).to.equal('host');
    }
    expect(reason(get(undefined))).to.equal('host');
    const refusal = checkRequest(get(`evil.test:${PORT}`), loopback, PORT);
    expect(refusal).to.deep.include({ statusCode: 421 });
    expect(refusal?.message).to.contain('evil.test');
  });

  it('names the bound address too, and beyond loopback the machine\'s own names, addresses and the allow-list', () => {
    expect(reason(get(`127.0.0.2:${PORT}`), acceptedHosts({ bindHost: '127.0.0.2' }, PORT))).to.equal(null);
    const wildcard = acceptedHosts({ bindHost: '0.0.0.0', allowedHosts: ['Cam.Lab.Example:8765', 'proxy.example'] }, PORT);
    for (const host of [`${os.hostname()}:${PORT}`, `${os.hostname()}.local:${PORT}`, 'cam.lab.example:8765', 'proxy.example', `localhost:${PORT}`]) {
      expect(reason(get(host), wildcard), host).to.equal(null);
    }
    const anAddress = Object.values(os.networkInterfaces()).flat().find((entry) => entry?.family === 'IPv4')?.address;
    if (anAddress) expect(reason(get(`${anAddress}:${PORT}`), wildcard)).to.equal(null);
    expect(reason(get(`evil.test:${PORT}`), wildcard)).to.equal('host');
    // The URL the module reports for a wildcard bind names the wildcard address.
    expect(reason(get(`0.0.0.0:${PORT}`), wildcard)).to.equal(null);
    expect(reason(get(`0.0.0.0:${PORT}`))).to.equal('host');
    // An address the connection reached that was not there at start (a new lease) is the machine's own.
    expect(reason(get(`10.250.0.9:${PORT}`), wildcard, '::ffff:10.250.0.9')).to.equal(null);
    expect(reason(get(`10.250.0.9:${PORT}`), wildcard, '10.250.0.8')).to.equal('host');
  });

  it('lets reads through, refuses the preflight, a foreign Origin and any body that is not JSON', () => {
    expect(reason({ ...get(`127.0.0.1:${PORT}`), origin: 'http://evil.test' })).to.equal(null);
    expect(reason({ ...get(`127.0.0.1:${PORT}`), method: 'HEAD' })).to.equal(null);
    expect(reason(post({ method: 'OPTIONS', contentType: undefined }))).to.equal('preflight');
    expect(reason(post({}))).to.equal(null);
    expect(reason(post({ origin: `http://127.0.0.1:${PORT}` }))).to.equal(null);
    expect(reason(post({ host: `localhost:${PORT}`, origin: `http://localhost:${PORT}` }))).to.equal(null);
    for (const origin of ['http://evil.test', 'null', `http://localhost:${PORT}`, `http://127.0.0.1:${PORT + 1}`, `http://127.0.0.1:${PORT}.evil.test`]) {
      expect(reason(post({ origin })), origin).to.equal('origin');
    }
    expect(checkRequest(post({ origin: 'http://evil.test' }), loopback, PORT)?.statusCode).to.equal(403);
    for (const contentType of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json']) {
      expect(reason(post({ contentType })), String(contentType)).to.equal('content_type');
    }
    expect(checkRequest(post({ contentType: 'text/plain' }), loopback, PORT)?.statusCode).to.equal(415);
    expect(reason(post({ contentType: 'Application/JSON; charset=utf-8' }))).to.equal(null);
    for (const method of ['DELETE', 'PUT', 'PATCH']) expect(reason(post({ method, contentType: undefined })), method).to.equal('content_type');
  });
});
