import type { FastifyInstance } from 'fastify';
import { registerRequestGuard, type HostRuleOptions } from './request_guard.js';
import { useSecurityHeaders } from './security_headers.js';

const PROTECTED = 'camerasUsb2Protected';

/**
 * The security headers on every response and the request guard (Host, Origin, JSON) before
 * every route of app, its plugins' routes included. Call it before registering routes.
 */
export function protectHttpApp(app: FastifyInstance, options: HostRuleOptions): void {
  useSecurityHeaders(app);
  registerRequestGuard(app, options);
  app.decorate(PROTECTED, true);
}

/** Whether protectHttpApp ran on app (or on the server it belongs to). */
export function isProtected(app: FastifyInstance): boolean {
  return app.hasDecorator(PROTECTED);
}
