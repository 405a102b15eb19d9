import type { FastifyInstance, FastifyReply } from 'fastify';
import { ModuleError } from '../errors/codes.js';
import { isProtected } from '../http/protect.js';
import type { CommandOutcome, ViewSource } from './view_source.js';
import { LiveMetrics } from './live_metrics.js';
import { OpenStreams } from './open_streams.js';
import { EventStream } from './event_stream.js';
import { streamPreview } from './preview_stream.js';
import { loadAsset, PAGE_ASSETS } from './page_assets.js';
import { useProjectValidation } from './view_validation.js';
import { ASSET_PARAMS, CONFIG_BODY, CONTROL_BODY, EMPTY_BODY, TRIAL_START_BODY, type ControlBody, type TrialStartBody } from './route_schemas.js';

export interface ViewRouteOptions {
  /** Where the page lives on the server (default /view). */
  readonly prefix?: string;
}

/**
 * Mounts the web view on the module's HTTP app (buildHttpApp, which puts the security headers
 * on every response and guards every request) as an encapsulated plugin: the page and its
 * assets, the live preview, the metrics stream, capabilities, snapshot, and the actions,
 * each of which is a module command sent through the host's validated path. Resolves once
 * the routes are registered.
 */
export async function registerViewRoutes(app: FastifyInstance, source: ViewSource, options: ViewRouteOptions = {}): Promise<void> {
  if (!isProtected(app)) {
    // Without them any web page the user opens could read the camera and change its settings.
    throw new ModuleError('INVALID_PARAMS', 'the web view needs a server with the request guard and security headers: build it with buildHttpApp(), or call protectHttpApp(app, { bindHost }) first');
  }
  await app.register(async (scope) => viewPlugin(scope, source), { prefix: options.prefix ?? '/view' });
}

async function viewPlugin(scope: FastifyInstance, source: ViewSource): Promise<void> {
  useProjectValidation(scope);
  const metrics = new LiveMetrics(source);
  const streams = new OpenStreams();
  scope.addHook('preClose', async () => streams.endAll());
  scope.addHook('onClose', async () => metrics.close());

  scope.get('/', async (_request, reply) => sendAsset(reply, 'index.html'));
  scope.get<{ Params: { file: string } }>('/assets/:file', { schema: { params: ASSET_PARAMS } }, async (request, reply) =>
    sendAsset(reply, request.params.file));

  scope.get('/api/state', async () => ({
    status: source.status(),
    capabilities: source.capabilities(),
    settings: viewSettings(source),
  }));

  scope.get('/api/capabilities', async (_request, reply) => {
    const capabilities = source.capabilities();
    if (!capabilities) return reply.code(409).send({ error: 'No camera assigned' });
    return capabilities;
  });

  // The streams have no HEAD: Node holds back a HEAD answer's head until it ends, which a stream never does.
  scope.get('/api/metrics', { exposeHeadRoute: false }, (_request, reply) => {
    reply.hijack();
    const stream = new EventStream(reply.raw);
    const stop = metrics.watch({
      onHistory: (history) => stream.send('history', history),
      onSample: (sample) => stream.send('metrics', sample),
    });
    streams.add(reply.raw, stop);
    // The bar shows the state at once instead of after the first whole second.
    stream.send('metrics', metrics.sample(true));
  });

  scope.get('/api/preview.mjpeg', { exposeHeadRoute: false }, (_request, reply) => {
    const preview = source.config().preview;
    if (!preview.enabled) return reply.code(409).send({ error: 'The preview is turned off (preview.enabled is false)' });
    reply.hijack();
    streams.add(reply.raw, streamPreview(source, reply.raw, preview.fps));
    return reply;
  });

  scope.get('/api/snapshot.jpg', async (_request, reply) => {
    const frame = source.latestFrame();
    if (!frame) return reply.code(404).send({ error: 'No frame captured yet' });
    const stamp = new Date(Number(frame.arrival.unixNs / 1_000_000n)).toISOString().replace(/[:.]/g, '-');
    return reply
      .header('Content-Type', 'image/jpeg')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="snapshot_${stamp}.jpg"`)
      .header('X-Sensor-Timestamp-Ns', String(frame.sensorTimestampNs))
      .send(frame.data);
  });

  scope.post<{ Body: ControlBody }>('/api/control', { schema: { body: CONTROL_BODY } }, async (request, reply) =>
    answer(reply, await source.send('control_change', { control: request.body.control, value: request.body.value })));

  scope.post<{ Body: Record<string, unknown> }>('/api/config', { schema: { body: CONFIG_BODY } }, async (request, reply) =>
    answer(reply, await source.send('apply_config', request.body)));

  scope.post('/api/reprobe', { schema: { body: EMPTY_BODY } }, async (_request, reply) => answer(reply, await source.send('reprobe')));

  scope.post<{ Body: TrialStartBody }>('/api/trial/start', { schema: { body: TRIAL_START_BODY } }, async (request, reply) => {
    if (!trialControlAllowed(source, reply)) return reply;
    return answer(reply, await source.send('start_recording', { ...request.body }));
  });

  scope.post('/api/trial/stop', { schema: { body: EMPTY_BODY } }, async (_request, reply) => {
    if (!trialControlAllowed(source, reply)) return reply;
    return answer(reply, await source.send('stop_recording'));
  });
}

/** What the page needs to know about its own permissions and rates. */
function viewSettings(source: ViewSource): { allow_trial_control: boolean; preview: { enabled: boolean; fps: number }; record: Record<string, unknown> } {
  const config = source.config();
  return { allow_trial_control: config.view.allow_trial_control, preview: { enabled: config.preview.enabled, fps: config.preview.fps }, record: { ...config.record } };
}

function trialControlAllowed(source: ViewSource, reply: FastifyReply): boolean {
  if (source.config().view.allow_trial_control) return true;
  void reply.code(403).send({ error: 'Trial control from the page is off (view.allow_trial_control is false)' });
  return false;
}

/** 200 when the module accepted the command, 422 with its error status when it refused. */
function answer(reply: FastifyReply, outcome: CommandOutcome): FastifyReply {
  return reply.code(outcome.error ? 422 : 200).send(outcome);
}

async function sendAsset(reply: FastifyReply, name: string): Promise<FastifyReply> {
  const asset = Object.hasOwn(PAGE_ASSETS, name) ? PAGE_ASSETS[name] : undefined;
  if (!asset) return reply.code(404).send({ error: `No asset ${name}` });
  return reply.header('Content-Type', asset.contentType).header('Cache-Control', 'no-cache').send(await loadAsset(asset));
}
