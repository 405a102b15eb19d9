import type { FastifyPluginAsync } from 'fastify';
import type { ModuleWindow } from './window_port.js';
import type { WindowGeometry } from './geometry.js';

const GEOMETRY_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['x', 'y', 'width', 'height'],
  properties: {
    x: { type: 'integer', minimum: -100_000, maximum: 100_000 },
    y: { type: 'integer', minimum: -100_000, maximum: 100_000 },
    width: { type: 'integer', minimum: 1, maximum: 100_000 },
    height: { type: 'integer', minimum: 1, maximum: 100_000 },
  },
} as const;

/**
 * The window's page reports where its window is (window.screenX/Y, outerWidth/Height): the
 * only way to know on every desktop, X11 or Wayland, without a window-system tool.
 */
export function windowRoutes(window: ModuleWindow): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: WindowGeometry }>('/api/window/geometry', { schema: { body: GEOMETRY_BODY } }, async (request, reply) => {
      window.noteGeometry(request.body);
      return reply.code(204).send();
    });
  };
}
