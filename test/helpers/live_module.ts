import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CamerasModuleHandle } from '../../src/module_factory.js';
import { ReferenceHost } from '../../src/host/reference_host.js';
import type { StatusMessage, StatusName } from '../../src/events/statuses.js';
import { StatusChecker } from './status_log.js';

export interface LiveModule {
  readonly dir: string;
  readonly handle: CamerasModuleHandle;
  readonly statuses: StatusMessage[];
  send(name: string, payload?: Record<string, unknown>): Promise<StatusMessage[]>;
  one<K extends StatusName>(out: StatusMessage[], name: K): Extract<StatusMessage, { status: K }>;
  close(): Promise<void>;
}

export const synthetic = (spec: string, id = 'cam1'): Record<string, unknown> => ({
  camera_id: { backend: 'synthetic', stable_id: id }, descriptor: { name: `test ${id}`, device_path: spec },
});

/** The real module (real DI: ffmpeg, capture, writers, disk) on the reference host. */
export async function startLiveModule(config: Record<string, unknown> = {}): Promise<LiveModule> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-live-'));
  const checker = new StatusChecker();
  const host = new ReferenceHost({
    onStatus: checker.record,
    config: { storage: { base_path: dir }, telemetry: { emit_interval_ms: 0 }, guard: { disk_free_gb_min: 0.1 }, ...config },
  });
  await host.start();
  return {
    dir, handle: host.handle as CamerasModuleHandle, statuses: host.statuses,
    send: async (name, payload = {}) => {
      const out = await host.request(name, payload);
      checker.throwIfInvalid();
      return out;
    },
    one: (out, name) => {
      const found = out.find((m) => m.status === name);
      if (!found) throw new Error(`expected ${name} among ${JSON.stringify(out.map((m) => [m.status, m.data]))}`);
      return found as never;
    },
    close: async () => {
      await host.stop();
      checker.throwIfInvalid();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Open file descriptors of this process. */
export const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
