import 'reflect-metadata';
import { CamerasRuntime } from './bridge/runtime.js';
import { createModuleContainer, type ServiceOverrides } from './di/container.js';
import type { Environment } from './config/environment.js';
import { TOKENS } from './di/tokens.js';
import type { ModuleHandle, ModuleHost } from './host/contract.js';
import { ModuleError } from './errors/codes.js';

export interface ModuleOptions {
  /** Replace any DI token's implementation (tests, other platforms). */
  readonly overrides?: ServiceOverrides;
  /** Where the override variables (STORAGE_WARN_PERCENT...) are read; default process.env. */
  readonly environment?: Environment;
}

/** A handle that also exposes the runtime, for hosts in this package (stdio, demo) and tests. */
export interface CamerasModuleHandle extends ModuleHandle {
  readonly runtime: CamerasRuntime;
}

/**
 * The module's entry (module.manifest.json → entry): wires a child container for this
 * instance and connects the host's bus to the runtime.
 */
export function createCamerasModule(host: ModuleHost, options: ModuleOptions = {}): CamerasModuleHandle {
  const container = createModuleContainer({
    statusCallback: host.onStatus,
    config: host.config,
    logger: host.logger,
    instanceId: host.instanceId,
    overrides: options.overrides,
    environment: options.environment,
  });
  // Locating ffmpeg waits on child processes; start it before the runtime compiles its schemas.
  void container.resolve(TOKENS.FfmpegProvider).initialize();
  const runtime = container.resolve(CamerasRuntime);
  const onCommand = (name: string, payload?: Record<string, unknown>): void => {
    void runtime.handle(name, payload);
  };
  const onInvalid = (problem: string): void => {
    void runtime.rejectInput(new ModuleError('INVALID_PARAMS', problem, { field: 'line' }));
  };
  let listening = false;
  return {
    runtime,
    initialize: async () => {
      const ready = runtime.initialize();
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
      await runtime.shutdown();
      container.dispose();
    },
    idle: () => runtime.idle(),
  };
}
