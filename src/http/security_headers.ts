import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * Headers on every response of the server. The page runs only its own scripts (no inline
 * script, no eval), loads nothing from elsewhere, talks only to its own origin, and shows
 * preview frames from blob: URLs it made itself; no other site may embed any response
 * (an <img> of the live preview included).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function setSecurityHeaders(response: ServerResponse): void {
  if (response.headersSent) return;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
}

/**
 * Puts the headers on the raw response as a request arrives, so they are part of every answer:
 * replies, errors, 404s, and the streams that write their own head (preview, metrics) — Node
 * merges them into any writeHead. The 'request' listener covers the few answers fastify gives
 * before its hooks run (bad URL, 503 while closing); the hook covers injected requests.
 */
export function useSecurityHeaders(app: FastifyInstance): void {
  app.server.prependListener('request', (_request, response) => setSecurityHeaders(response));
  app.addHook('onRequest', async (_request, reply) => setSecurityHeaders(reply.raw));
}
