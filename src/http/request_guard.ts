import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { isLoopback } from './loopback.js';

/**
 * The rules every request meets before any route runs, so that a web page from another
 * site cannot use the module even though the user's browser can reach it:
 * - Host must name this server (DNS rebinding makes a foreign name resolve to loopback);
 * - a state-changing request carries JSON (forms and text/plain need no preflight, JSON does),
 *   names no foreign Origin, and the preflight itself is refused.
 */
export type RefusalReason = 'host' | 'preflight' | 'origin' | 'content_type';

export interface Refusal {
  readonly reason: RefusalReason;
  readonly statusCode: 421 | 403 | 415;
  readonly message: string;
}

export interface RequestFacts {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly contentType: string | undefined;
}

/** Methods a browser may send cross-site that must not change anything. */
const READ_METHODS = new Set(['GET', 'HEAD']);
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[^:[\]/@\s]+)(?::(\d{1,5}))?$/;

/** `name:port` as a Host header says it, lowercase, IPv6 in brackets, IPv4-mapped IPv6 unmapped. */
export function hostKey(name: string, port: number): string {
  let bare = name.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (bare.startsWith('::ffff:') && bare.includes('.')) bare = bare.slice('::ffff:'.length);
  return `${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

/** A Host header as `name:port` (80 when the header names none), or null when it is not one. */
export function parseHostHeader(header: string): string | null {
  const match = HOST_HEADER.exec(header.trim().toLowerCase());
  if (!match?.[1]) return null;
  const port = match[2] === undefined ? 80 : Number(match[2]);
  return port > 0 && port <= 65535 ? hostKey(match[1], port) : null;
}

export interface HostRuleOptions {
  /** The address the server was asked to bind (http.host). */
  readonly bindHost: string;
  /** Extra Host values a deployment accepts (http.allowed_hosts), e.g. `pi-lab.example:8765`. */
  readonly allowedHosts?: readonly string[];
}

/**
 * The Host values that name this server on `port`: the loopback names and the bound
 * address; when bound beyond loopback also the machine's own addresses and host name.
 */
export function acceptedHosts(options: HostRuleOptions, port: number): Set<string> {
  // The bound address even when it is a wildcard: the URL the module reports then names it, and
  // an address literal cannot be rebound (only a DNS name can be made to point elsewhere).
  const names = ['localhost', '127.0.0.1', '::1', options.bindHost];
  if (!isLoopback(options.bindHost)) {
    const hostname = os.hostname();
    names.push(hostname, `${hostname}.local`);
    for (const entries of Object.values(os.networkInterfaces())) {
      for (const entry of entries ?? []) names.push(entry.address.replace(/%.*$/, ''));
    }
  }
  const accepted = new Set(names.map((name) => hostKey(name, port)));
  for (const extra of options.allowedHosts ?? []) {
    const key = parseHostHeader(extra);
    if (key !== null) accepted.add(key);
  }
  return accepted;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Checks one request against the rules. `accepted` are the Host values of acceptedHosts();
 * `localAddress` is the address the connection reached (a wildcard bind learns new ones).
 */
export function checkRequest(facts: RequestFacts, accepted: ReadonlySet<string>, port: number, localAddress?: string): Refusal | null {
  const host = facts.host === undefined ? null : parseHostHeader(facts.host);
  const own = host !== null && (accepted.has(host) || (localAddress !== undefined && host === hostKey(localAddress, port)));
  if (!own) {
    return { reason: 'host', statusCode: 421, message: `Host ${JSON.stringify(facts.host ?? '')} does not name this server; use http://127.0.0.1:${port}/ or an allowed host name` };
  }
  const method = facts.method.toUpperCase();
  if (READ_METHODS.has(method)) return null;
  if (method === 'OPTIONS') {
    return { reason: 'preflight', statusCode: 403, message: 'cross-origin requests are not served (preflight refused)' };
  }
  if (facts.origin !== undefined && !sameOrigin(facts.origin, facts.host as string)) {
    return { reason: 'origin', statusCode: 403, message: `Origin ${JSON.stringify(facts.origin.slice(0, 200))} is not this server: requests that change something must come from its own pages` };
  }
  if (mediaType(facts.contentType) !== 'application/json') {
    return { reason: 'content_type', statusCode: 415, message: `${method} needs Content-Type: application/json and a JSON body ({} when there is nothing to say)` };
  }
  return null;
}

/** The server's own origin is the one the (already accepted) Host header names. */
function sameOrigin(origin: string, hostHeader: string): boolean {
  const given = origin.trim().toLowerCase();
  const host = hostHeader.trim().toLowerCase();
  return given === `http://${host}` || given === `https://${host}`;
}

/**
 * Registers the rules on the whole server (every route, including routes added later and
 * the 404 handler). The port is the one the server listens on; until it listens (in-process
 * injection) no Host can name it, so every request is refused.
 */
export function registerRequestGuard(app: FastifyInstance, options: HostRuleOptions): void {
  let cached: { port: number; accepted: Set<string> } | null = null;
  const rules = (): { port: number; accepted: Set<string> } | null => {
    if (cached !== null) return cached;
    const address = app.server.address();
    if (address === null || typeof address === 'string') return null;
    cached = { port: address.port, accepted: acceptedHosts(options, address.port) };
    return cached;
  };
  app.addHook('onRequest', async (request, reply) => {
    const current = rules();
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const facts: RequestFacts = { method: request.method, host: header('host'), origin: header('origin'), contentType: header('content-type') };
    const refusal = current === null
      ? { statusCode: 421, message: 'the server is not listening yet' }
      : checkRequest(facts, current.accepted, current.port, request.socket.localAddress);
    if (refusal !== null) await reply.code(refusal.statusCode).header('connection', 'close').send({ ok: false, message: refusal.message });
  });
}
