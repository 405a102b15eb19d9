import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { createCamerasModule, type CamerasModuleHandle } from '../../src/module_factory.js';
import type { HostBusEvents } from '../../src/host/contract.js';
import type { StatusMessage, StatusName } from '../../src/events/statuses.js';

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

/** The real module (real DI: ffmpeg, capture, writers, disk) on an in-process host. */
export async function startLiveModule(config: Record<string, unknown> = {}): Promise<LiveModule> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-live-'));
  const bus = new EventEmitter<HostBusEvents>();
  const statuses: StatusMessage[] = [];
  const handle = createCamerasModule({
    bus, onStatus: (m) => statuses.push(m),
    config: { storage: { base_path: dir }, telemetry: { emit_interval_ms: 0 }, guard: { disk_free_gb_min: 0.1 }, ...config },
  });
  await handle.initialize();
  return {
    dir, handle, statuses,
    send: async (name, payload = {}) => {
      const before = statuses.length;
      bus.emit('command', name, payload);
      await handle.idle();
      return statuses.slice(before);
    },
    one: (out, name) => {
      const found = out.find((m) => m.status === name);
      if (!found) throw new Error(`expected ${name} among ${JSON.stringify(out.map((m) => [m.status, m.data]))}`);
      return found as never;
    },
    close: async () => {
      await handle.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Open file descriptors of this process. */
export const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
