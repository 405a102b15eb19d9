import 'reflect-metadata';
import { CamerasRuntime } from './bridge/runtime.js';
import { createModuleContainer, type ServiceOverrides } from './di/container.js';
import type { Environment } from './config/environment.js';
import { TOKENS } from './di/tokens.js';
import type { ModuleHost } from './host/contract.js';
import { ModuleError } from './errors/codes.js';
import type { ModuleBus } from './events/module_bus.js';
import type { CamerasModuleHandle } from './module_handle.js';
import type { FileLifecycle } from './storage/file_lifecycle.js';
import { ModuleHttp } from './http/module_http.js';
import type { WindowRequest } from './window/window_controller.js';

export interface ModuleOptions {
  /** Replace any DI token's implementation (tests, other platforms). */
  readonly overrides?: ServiceOverrides;
  /** Where the override variables (STORAGE_WARN_PERCENT...) are read; default process.env. */
  readonly environment?: Environment;
  /** The host asked for a window at this geometry (RPi_Logger's --window-geometry). */
  readonly window?: WindowRequest;
  /** Opens a passphrase key file (else CAMERAS_USB2_PASSPHRASE in the environment). */
  readonly passphrase?: string;
}

/**
 * The module's entry (module.manifest.json → entry): wires a child container for this
 * instance and connects the host's bus to the runtime.
 */
export function createCamerasModule(host: ModuleHost, options: ModuleOptions = {}): CamerasModuleHandle {
  const container = createModuleContainer({
    config: host.config,
    logger: host.logger,
    instanceId: host.instanceId,
    overrides: options.overrides,
    environment: options.environment,
    ...(options.window ? { window: options.window } : {}),
    ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
  });
  // Locating ffmpeg waits on child processes; start it before the runtime compiles its schemas.
  void container.resolve(TOKENS.FfmpegProvider).initialize();
  const runtime = container.resolve(CamerasRuntime);
  const events = container.resolve(TOKENS.ModuleBus);
  // The host's status callback is one subscriber of the bus; so are the stdio adapter and later the HTTP API.
  events.on('status', 'host', host.onStatus);
  forwardFileEvents(container.resolve(TOKENS.FileLifecycle), events);
  const onCommand = (name: string, payload?: Record<string, unknown>): void => {
    void runtime.handle(name, payload);
  };
  const onInvalid = (problem: string): void => {
    void runtime.rejectInput(new ModuleError('INVALID_PARAMS', problem, { field: 'line' }));
  };
  let listening = false;
  let front: ModuleHttp | null = null;
  const window = container.resolve(TOKENS.Window);
  const startHttp = async (): Promise<void> => {
    const config = runtime.currentConfig;
    await window.prepare();
    if (!config.http.enabled && !config.segments.enabled && !window.wanted) return;
    front = await ModuleHttp.start({
      handle, config, diskGuard: container.resolve(TOKENS.DiskGuard), logger: container.resolve(TOKENS.Logger),
      // The ring's files go through the same seam as trial files: sinks, lifecycle, key.
      sinks: container.resolve(TOKENS.FileSinks), lifecycle: container.resolve(TOKENS.FileLifecycle),
      encryption: container.resolve(TOKENS.Encryption), window,
    });
    runtime.httpUrl = front.url;
    if (front.url !== null) window.attach({ url: front.url, passes: front.windowPasses });
  };
  const handle: CamerasModuleHandle = {
    runtime,
    events,
    tapFrames: (name, sink, options) => runtime.channel.hub.subscribe(name, sink, options),
    initialize: async () => {
      const ready = runtime.initialize(startHttp);
      if (!listening) {
        host.bus.on('command', onCommand);
        host.bus.on('invalid_input', onInvalid);
        listening = true;
      }
      await ready;
    },
    shutdown: async () => {
      host.bus.off('command', onCommand);
      host.bus.off('invalid_input', onInvalid);
      listening = false;
      await window.close();
      await front?.stop();
      front = null;
      await runtime.shutdown();
      container.dispose();
    },
    idle: () => runtime.idle(),
  };
  return handle;
}

function forwardFileEvents(lifecycle: FileLifecycle, events: ModuleBus): void {
  lifecycle.on('file_opened', (file) => events.emit('file_opened', file));
  lifecycle.on('file_closed', (file) => events.emit('file_closed', file));
}

export type { CamerasModuleHandle };
