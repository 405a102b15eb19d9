import type { InjectionToken } from 'tsyringe';
import type { CaptureSourceFactory, DeviceProbe } from '../camera_core/types.js';
import type { ConfigStore } from '../config/config_store.js';
import type { FfmpegProvider } from '../ffmpeg/provider.js';
import type { Logger } from '../logging/logger.js';
import type { ProcessRegistry } from '../process/owned_process.js';
import type { ProcessSpawner } from '../process/spawner.js';
import type { DiskGuard, DiskStatsProvider } from '../storage/disk_guard.js';
import type { FileLifecycle } from '../storage/file_lifecycle.js';
import type { TimingWriterFactory } from '../storage/timing_writer.js';
import type { TrialRepairer } from '../storage/repair/trial_repairer.js';
import type { TrialRecorderFactory, VideoWriterFactory } from '../storage/types.js';
import type { ModuleBus } from '../events/module_bus.js';
import type { Clock } from '../time/clock.js';
import type { EncryptionSettings } from '../crypto/encryption_config.js';
import type { FileSinks } from '../storage/sinks/file_sinks.js';
import type { ModuleWindow } from '../window/window_port.js';

export interface HostInfo {
  readonly instanceId: string | null;
}

const token = <T>(name: string): InjectionToken<T> => Symbol(name) as InjectionToken<T>;

/** Everything a module instance is wired from; tests replace any of them with fakes. */
export const TOKENS = {
  Logger: token<Logger>('Logger'),
  /** The instance's internal event bus: statuses and domain events; hosts and consumers subscribe. */
  ModuleBus: token<ModuleBus>('ModuleBus'),
  /** Every file the instance writes announces itself here (opened / closed). */
  FileLifecycle: token<FileLifecycle>('FileLifecycle'),
  /** The encryption settings, resolved (key loaded and checked) once when the instance is created. */
  Encryption: token<EncryptionSettings>('Encryption'),
  /** Where every file with image or subject content is filled: plain, or encrypted as written. */
  FileSinks: token<FileSinks>('FileSinks'),
  ConfigStore: token<ConfigStore>('ConfigStore'),
  /** What the host told this instance about itself (RPi_Logger's --instance-id). */
  HostInfo: token<HostInfo>('HostInfo'),
  Clock: token<Clock>('Clock'),
  ProcessSpawner: token<ProcessSpawner>('ProcessSpawner'),
  ProcessRegistry: token<ProcessRegistry>('ProcessRegistry'),
  FfmpegProvider: token<FfmpegProvider>('FfmpegProvider'),
  DeviceProbe: token<DeviceProbe>('DeviceProbe'),
  CaptureSourceFactory: token<CaptureSourceFactory>('CaptureSourceFactory'),
  /** The encoder: turns frames into a video file (passthrough or re-encode). */
  VideoWriterFactory: token<VideoWriterFactory>('VideoWriterFactory'),
  TimingWriterFactory: token<TimingWriterFactory>('TimingWriterFactory'),
  TrialRecorderFactory: token<TrialRecorderFactory>('TrialRecorderFactory'),
  DiskStatsProvider: token<DiskStatsProvider>('DiskStatsProvider'),
  DiskGuard: token<DiskGuard>('DiskGuard'),
  /** Completes trials a crash left unfinished (start-up, `cameras-usb2 repair`). */
  TrialRepairer: token<TrialRepairer>('TrialRepairer'),
  /** The module's window when the host asks for one on a desktop (a browser app window), else none. */
  Window: token<ModuleWindow>('Window'),
} as const;

export type TokenName = keyof typeof TOKENS;
