import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { TOKENS, type TokenName } from './tokens.js';
import { ConfigStore } from '../config/config_store.js';
import { resolveStartupConfig, type Environment } from '../config/environment.js';
import { ModuleBus } from '../events/module_bus.js';
import { FileLifecycle } from '../storage/file_lifecycle.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { SystemClock } from '../time/clock.js';
import { NodeProcessSpawner } from '../process/spawner.js';
import { ProcessRegistry } from '../process/owned_process.js';
import { FfmpegProvider } from '../ffmpeg/provider.js';
import { FfmpegLocator } from '../ffmpeg/locate.js';
import { InspectionCache } from '../ffmpeg/inspection_cache.js';
import { createDeviceProbe } from '../camera_core/composite_probe.js';
import { FfmpegCaptureSourceFactory } from '../camera_core/ffmpeg_capture_source.js';
import { DefaultVideoWriterFactory } from '../storage/video_writer_factory.js';
import { DefaultTrialRecorderFactory } from '../storage/trial_recorder.js';
import { DefaultTimingWriterFactory } from '../storage/timing_writer.js';
import { DiskGuard, SystemDiskStatsProvider } from '../storage/disk_guard.js';
import { FfmpegTrialRepairer } from '../storage/repair/trial_repairer.js';
import type { CaptureSourceFactory } from '../camera_core/types.js';
import type { VideoWriterFactory } from '../storage/types.js';
import { resolveEncryption } from '../crypto/encryption_config.js';
import { fileSinksFor } from '../storage/sinks/file_sinks.js';
import { WindowController, type WindowRequest } from '../window/window_controller.js';
import { windowProfileDir } from '../window/window_profile.js';

type Instances = { [K in TokenName]: (typeof TOKENS)[K] extends import('tsyringe').InjectionToken<infer T> ? T : never };
export type ServiceOverrides = Partial<Instances>;

export interface ContainerOptions {
  readonly config?: unknown;
  readonly logger?: Logger;
  readonly instanceId?: string;
  readonly overrides?: ServiceOverrides;
  /** Where STORAGE_WARN_PERCENT and the other override variables are read (default process.env). */
  readonly environment?: Environment;
  /** The host asked for a window (RPi_Logger's --window-geometry). */
  readonly window?: WindowRequest;
  /** For a passphrase key file (else CAMERAS_USB2_PASSPHRASE in the environment). Used once, not kept. */
  readonly passphrase?: string;
}

const cached = <T>(make: (c: DependencyContainer) => T) => ({ useFactory: instanceCachingFactory<T>(make) });

/**
 * One child container per module instance: its own config, clock, processes and factories,
 * so two cameras in one process share nothing and tests swap any part for a fake.
 */
export function createModuleContainer(options: ContainerOptions): DependencyContainer {
  const c = rootContainer.createChildContainer();
  const environment = options.environment ?? process.env;
  const config = new ConfigStore(resolveStartupConfig(options.config ?? {}, environment));
  // Here, before anything starts: a key that cannot be used stops the instance (no ready), it never records in the clear.
  const encryption = resolveEncryption(config.current.encryption, environment, options.passphrase);
  c.register(TOKENS.Logger, { useValue: options.logger ?? silentLogger });
  c.register(TOKENS.ConfigStore, { useValue: config });
  c.register(TOKENS.HostInfo, { useValue: { instanceId: options.instanceId ?? null } });
  c.register(TOKENS.ModuleBus, cached((r) => new ModuleBus(r.resolve(TOKENS.Logger))));
  c.register(TOKENS.FileLifecycle, cached(() => new FileLifecycle()));
  c.register(TOKENS.Encryption, { useValue: encryption });
  c.register(TOKENS.FileSinks, cached((r) => fileSinksFor(r.resolve(TOKENS.Encryption))));
  c.register(TOKENS.Clock, cached(() => new SystemClock()));
  c.register(TOKENS.ProcessSpawner, cached(() => new NodeProcessSpawner()));
  c.register(TOKENS.ProcessRegistry, cached((r) => new ProcessRegistry(r.resolve(TOKENS.ProcessSpawner))));
  c.register(TOKENS.FfmpegProvider, cached((r) => new FfmpegProvider(() =>
    new FfmpegLocator({
      configPath: config.current.ffmpeg.path ?? null, spawner: r.resolve(TOKENS.ProcessSpawner), cache: new InspectionCache(),
    }).locate())));
  c.register(TOKENS.DeviceProbe, cached((r) => createDeviceProbe(r.resolve(TOKENS.ProcessRegistry), r.resolve(TOKENS.FfmpegProvider))));
  c.register(TOKENS.CaptureSourceFactory, cached((r) => lazyCaptureFactory(r)));
  c.register(TOKENS.VideoWriterFactory, cached((r) => lazyWriterFactory(r)));
  c.register(TOKENS.TimingWriterFactory, cached(() => new DefaultTimingWriterFactory()));
  c.register(TOKENS.TrialRecorderFactory, cached((r) =>
    new DefaultTrialRecorderFactory(r.resolve(TOKENS.VideoWriterFactory), r.resolve(TOKENS.Clock), {
      timingWriters: r.resolve(TOKENS.TimingWriterFactory), logger: r.resolve(TOKENS.Logger), lifecycle: r.resolve(TOKENS.FileLifecycle),
      sinks: r.resolve(TOKENS.FileSinks),
    })));
  c.register(TOKENS.DiskStatsProvider, cached((r) => new SystemDiskStatsProvider(r.resolve(TOKENS.Logger))));
  c.register(TOKENS.DiskGuard, cached((r) => new DiskGuard(r.resolve(TOKENS.DiskStatsProvider), r.resolve(TOKENS.Logger))));
  c.register(TOKENS.TrialRepairer, cached((r) => new FfmpegTrialRepairer(r.resolve(TOKENS.FfmpegProvider), r.resolve(TOKENS.ProcessRegistry))));
  c.register(TOKENS.Window, cached((r) => new WindowController({
    request: options.window ?? null,
    settings: { enabled: config.current.view.window, browser: config.current.view.window_browser ?? null },
    environment, registry: r.resolve(TOKENS.ProcessRegistry), bus: r.resolve(TOKENS.ModuleBus),
    logger: r.resolve(TOKENS.Logger), instanceId: options.instanceId ?? null,
    profileDir: () => windowProfileDir(options.instanceId ?? null, environment),
  })));
  for (const [name, value] of Object.entries(options.overrides ?? {})) {
    c.register(TOKENS[name as TokenName] as symbol, { useValue: value });
  }
  return c;
}

/** The capture factory needs the located ffmpeg, which exists only after initialize(). */
function lazyCaptureFactory(r: DependencyContainer): CaptureSourceFactory {
  let real: CaptureSourceFactory | undefined;
  return {
    create: (request) => {
      const factory = (real ??= new FfmpegCaptureSourceFactory(
        r.resolve(TOKENS.ProcessRegistry), r.resolve(TOKENS.FfmpegProvider).require(), r.resolve(TOKENS.Clock)));
      return factory.create(request);
    },
  };
}

function lazyWriterFactory(r: DependencyContainer): VideoWriterFactory {
  let real: VideoWriterFactory | undefined;
  return {
    open: (options) => {
      const factory = (real ??= new DefaultVideoWriterFactory(r.resolve(TOKENS.FfmpegProvider).require(), r.resolve(TOKENS.ProcessRegistry)));
      return factory.open(options);
    },
  };
}
