import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { ModuleError } from '../errors/codes.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { createAjv, describeProblem } from '../config/schema_registry.js';
import type { WindowPasses } from '../window/window_passes.js';
import { isLoopback } from './loopback.js';
import { protectHttpApp } from './protect.js';
import { parseHostHeader } from './request_guard.js';

export { isLoopback } from './loopback.js';

export interface HttpServerOptions {
  /** Default 127.0.0.1. Anything but loopback needs a token. */
  readonly host?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string | null;
  /** One-time passes the module's own window redeems for the token cookie (see WindowPasses). */
  readonly windowPasses?: WindowPasses | null;
  /** Host header values accepted besides this machine's own names (http.allowed_hosts). */
  readonly allowedHosts?: readonly string[];
  /** Largest request body accepted (default 16 KiB). */
  readonly bodyLimit?: number;
  /** A response that does not match its schema fails with 500 (tests); otherwise it is logged. */
  readonly strictResponses?: boolean;
  readonly logger?: Logger;
}

export interface HttpServer {
  readonly app: FastifyInstance;
  /** http://host:port, e.g. http://127.0.0.1:39123. */
  readonly url: string;
  close(): Promise<void>;
}

export const HTTP_DEFAULTS = { host: '127.0.0.1', port: 0, bodyLimit: 16 * 1024 } as const;

/**
 * The cookie a browser keeps the token in (a page's EventSource and <img> cannot send headers).
 * Browsers send a host's cookies to every port of it, so each server names its own after its
 * port: two modules on one machine keep separate tokens. Scripts send the header instead.
 */
export function tokenCookieName(port: number): string {
  return `cameras_usb2_token_${port}`;
}

function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (given === undefined || given === null) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * A request is let in with `Authorization: Bearer <token>` (API clients), or with the token
 * cookie (a browser), which `?token=<token>` on any page sets: HttpOnly, SameSite=Strict, so
 * other sites can neither read it nor send it along.
 */
function admitted(
  request: { headers: Record<string, string | string[] | undefined>; url: string },
  token: string,
  cookieName: string,
  passes: WindowPasses | null,
): 'header' | 'cookie' | 'query' | null {
  const authorization = request.headers['authorization'];
  if (typeof authorization === 'string' && sameSecret(authorization, `Bearer ${token}`)) return 'header';
  const cookie = request.headers['cookie'];
  if (sameSecret(cookieValue(typeof cookie === 'string' ? cookie : undefined, cookieName), token)) return 'cookie';
  const query = new URL(request.url, 'http://module.invalid').searchParams;
  if (sameSecret(query.get('token'), token)) return 'query';
  if (passes?.redeem(query.get('window_pass'))) return 'query';
  return null;
}

/** An HTTP error with a status code fastify honours. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The module's HTTP app, not yet listening: the security headers on every response, the
 * request guard (Host, Origin, JSON; see request_guard.ts) before any route, JSON Schema
 * 2020-12 validation of requests and responses with the project's own Ajv (every schema
 * under schemas/, so routes refer to `http/….schema.json`), a body size limit, bearer-token
 * auth when a token is set, and `{ ok: false, message }` for every error. Register route
 * plugins, then listen().
 */
export function buildHttpApp(options: HttpServerOptions = {}): FastifyInstance {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? HTTP_DEFAULTS.host;
  const token = options.token ?? null;
  if (token !== null && token.length === 0) throw new ModuleError('INVALID_PARAMS', 'http.token must not be empty', { field: 'http.token' });
  if (!isLoopback(host) && token === null) {
    throw new ModuleError('INVALID_PARAMS', `http.host ${host} is not loopback: set http.token so requests must carry it`, { field: 'http.token' });
  }
  for (const allowed of options.allowedHosts ?? []) {
    if (parseHostHeader(allowed) === null) {
      throw new ModuleError('INVALID_PARAMS', `http.allowed_hosts: '${allowed.slice(0, 80)}' is not a host name with an optional :port`, { field: 'http.allowed_hosts' });
    }
  }
  const app = Fastify({ bodyLimit: options.bodyLimit ?? HTTP_DEFAULTS.bodyLimit, logger: false, return503OnClosing: true });
  protectHttpApp(app, { bindHost: host, allowedHosts: options.allowedHosts ?? [] });
  const ajv = createAjv({ useDefaults: false });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  app.setSchemaErrorFormatter((errors, dataVar) => {
    const problem = describeProblem(errors as Parameters<typeof describeProblem>[0]);
    return new Error(`${dataVar}: ${problem.message}`);
  });
  app.setSerializerCompiler(({ schema, url, httpStatus }) => {
    const validate = ajv.compile(schema);
    return (data) => {
      if (!validate(data)) {
        const problem = describeProblem(validate.errors);
        const message = `response of ${url} (${httpStatus}) does not match its schema: ${problem.message}`;
        if (options.strictResponses) throw new Error(message);
        logger.warn(`http: ${message}`);
      }
      return JSON.stringify(data);
    };
  });
  if (token !== null) {
    let portCookie: string | null = null;
    app.addHook('onRequest', async (request, reply) => {
      // The guard has refused requests that reach no listening port, so there is one here.
      const cookieName = portCookie ??= tokenCookieName(listeningPort(app) ?? 0);
      const how = admitted(request, token, cookieName, options.windowPasses ?? null);
      if (how === 'query') {
        void reply.header('set-cookie', `${cookieName}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      } else if (how === null) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ ok: false, message: 'missing or wrong bearer token' });
      }
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    await reply.code(404).send({ ok: false, message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  app.setErrorHandler(async (error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    const status = error.validation !== undefined ? 400 : error.statusCode ?? 500;
    if (status >= 500) logger.error('http: request failed', { error: error.message });
    await reply.code(status).send({ ok: false, message: error.message });
  });
  return app;
}

function listeningPort(app: FastifyInstance): number | null {
  const address = app.server.address();
  return address === null || typeof address === 'string' ? null : address.port;
}

/** Builds the app, registers the route plugins, listens; resolves with the URL. */
export async function createHttpServer(options: HttpServerOptions, plugins: readonly FastifyPluginAsync[]): Promise<HttpServer> {
  const app = buildHttpApp(options);
  for (const plugin of plugins) await app.register(plugin);
  const host = options.host ?? HTTP_DEFAULTS.host;
  await app.listen({ host, port: options.port ?? HTTP_DEFAULTS.port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('HTTP server has no TCP address');
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    app,
    url: `http://${shownHost}:${address.port}`,
    close: () => app.close(),
  };
}
