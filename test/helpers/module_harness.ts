import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventEmitter } from 'eventemitter3';
import type { CamerasModuleHandle, ModuleOptions } from '../../src/module_factory.js';
import type { HostBusEvents } from '../../src/host/contract.js';
import { ReferenceHost } from '../../src/host/reference_host.js';
import type { TrialRepairer } from '../../src/storage/repair/trial_repairer.js';
import type { RepairReport } from '../../src/storage/repair/repair_trials.js';
import type { StatusMessage, StatusName } from '../../src/events/statuses.js';
import { FfmpegProvider } from '../../src/ffmpeg/provider.js';
import type { DiskStatsProvider } from '../../src/storage/disk_guard.js';
import type { ServiceOverrides } from '../../src/di/container.js';
import { FAKE_FFMPEG, FakeCaptureFactory, FakeDeviceProbe, MemoryWriterFactory } from './fakes.js';
import { StatusChecker } from './status_log.js';

export class FakeDiskStats implements DiskStatsProvider {
  availableBytes = 500 * 1024 ** 3;
  totalBytes = 1000 * 1024 ** 3;
  async stats(p: string) {
    return { path: p, mount: '/', totalBytes: this.totalBytes, availableBytes: this.availableBytes };
  }
}

/** Start-up repair for the mocked host: finds nothing, and remembers where it looked. */
export class NothingToRepair implements TrialRepairer {
  readonly dirs: string[] = [];
  async repair(dir: string): Promise<RepairReport> {
    this.dirs.push(dir);
    return { dir, trialsFound: 0, trials: [] };
  }
}

export interface Harness {
  readonly dir: string;
  readonly bus: EventEmitter<HostBusEvents>;
  readonly statuses: StatusMessage[];
  readonly handle: CamerasModuleHandle;
  readonly captures: FakeCaptureFactory;
  readonly probe: FakeDeviceProbe;
  readonly writers: MemoryWriterFactory;
  readonly disk: FakeDiskStats;
  /** Sends a command and resolves with the statuses it produced, once handled. */
  send(name: string, payload?: Record<string, unknown>): Promise<StatusMessage[]>;
  sendRaw(name: string, payload?: Record<string, unknown>): void;
  last<K extends StatusName>(name: K): Extract<StatusMessage, { status: K }> | undefined;
  close(): Promise<void>;
}

export const ASSIGN = {
  camera_id: { backend: 'usb', stable_id: 'usb1-1-2' },
  descriptor: { name: 'HD Pro Webcam C920', device_path: '/dev/video0', usb_path: '1-2' },
};

/** A module instance on a mocked host (the reference host): fake capture, probe, video writer, disk and ffmpeg. */
export async function startHarness(options: { config?: Record<string, unknown>; overrides?: ServiceOverrides } = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-unit-'));
  const captures = new FakeCaptureFactory();
  const probe = new FakeDeviceProbe();
  const writers = new MemoryWriterFactory();
  const disk = new FakeDiskStats();
  const checker = new StatusChecker();
  const host = new ReferenceHost({
    onStatus: checker.record,
    config: {
      telemetry: { emit_interval_ms: 0 }, ...options.config,
      storage: { base_path: dir, ...(options.config?.['storage'] as Record<string, unknown> | undefined) },
    },
    factoryOptions: {
      overrides: {
        CaptureSourceFactory: captures, DeviceProbe: probe, VideoWriterFactory: writers, DiskStatsProvider: disk,
        FfmpegProvider: new FfmpegProvider(async () => FAKE_FFMPEG), TrialRepairer: new NothingToRepair(), ...options.overrides,
      },
    } satisfies ModuleOptions,
  });
  await host.start();
  const statuses = host.statuses;
  return {
    dir, bus: host.bus, statuses, handle: host.handle as CamerasModuleHandle, captures, probe, writers, disk,
    send: async (name, payload = {}) => {
      const out = await host.request(name, payload);
      checker.throwIfInvalid();
      return out;
    },
    sendRaw: (name, payload = {}) => host.send(name, payload),
    last: <K extends StatusName>(name: K) =>
      [...statuses].reverse().find((m) => m.status === name) as Extract<StatusMessage, { status: K }> | undefined,
    close: async () => {
      await host.stop();
      checker.throwIfInvalid();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
