import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../../../src/http/server.js';
import type { AddressInfo } from 'node:net';
import type { CamerasModuleHandle } from '../../../src/module_factory.js';
import { ReferenceHost } from '../../../src/host/reference_host.js';
import type { ServiceOverrides } from '../../../src/di/container.js';
import { moduleViewSource } from '../../../src/view/module_view_source.js';
import { registerViewRoutes } from '../../../src/view/view_routes.js';
import type { ViewSource } from '../../../src/view/view_source.js';
import { StatusChecker } from '../../helpers/status_log.js';

export interface ViewServer {
  readonly host: ReferenceHost;
  readonly handle: CamerasModuleHandle;
  readonly source: ViewSource;
  readonly app: FastifyInstance;
  /** The page's address, e.g. http://127.0.0.1:40123/view/ */
  readonly pageUrl: string;
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * The real module (real DI: ffmpeg, capture, writers, disk) on the reference host, with the
 * view mounted on the module's HTTP app on 127.0.0.1 at a free port, as the HTTP server
 * will mount it. Every status is checked against its schema.
 */
export async function startViewServer(options: { config: Record<string, unknown>; overrides?: ServiceOverrides }): Promise<ViewServer> {
  const checker = new StatusChecker();
  const host = new ReferenceHost({
    onStatus: checker.record,
    config: options.config,
    ...(options.overrides ? { factoryOptions: { overrides: options.overrides } } : {}),
  });
  await host.start();
  const handle = host.handle as CamerasModuleHandle;
  const source = moduleViewSource(handle);
  const app = buildHttpApp();
  await registerViewRoutes(app, source);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    host, handle, source, app, origin, pageUrl: `${origin}/view/`,
    close: async () => {
      await app.close();
      await host.stop();
      checker.throwIfInvalid();
    },
  };
}
