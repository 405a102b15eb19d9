import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { CommandBus, HostBusEvents, ModuleHandle } from './contract.js';
import type { StatusMessage, StatusName } from '../events/statuses.js';
import { loadModuleFromManifest, type ModuleManifest } from './manifest.js';
import { PACKAGE_ROOT } from '../config/schema_registry.js';
import { HOST_API_VERSION } from '../module_info.js';
import { silentLogger, type Logger } from '../logging/logger.js';

export type StatusOf<K extends StatusName> = Extract<StatusMessage, { status: K }>;

export interface ReferenceHostOptions {
  readonly manifestPath?: string;
  readonly config?: unknown;
  readonly logger?: Logger;
  readonly instanceId?: string;
  /** Called for every status as it arrives (the demo prints them). */
  readonly onStatus?: (message: StatusMessage) => void;
  /** Passed as the factory's second argument (this package's factory: DI overrides, environment). */
  readonly factoryOptions?: unknown;
}

/**
 * A small in-process host: loads the module through its manifest, sends commands on an
 * event bus, keeps every status, and can wait for one. The demo, the benchmark and the
 * tests drive the module through it, as a real host would.
 */
export class ReferenceHost {
  readonly bus: CommandBus = new EventEmitter<HostBusEvents>();
  readonly statuses: StatusMessage[] = [];
  private readonly arrivals = new EventEmitter<{ status: (message: StatusMessage) => void }>();
  private loaded: ModuleHandle | null = null;
  manifest: ModuleManifest | null = null;

  constructor(private readonly options: ReferenceHostOptions = {}) {}

  async start(): Promise<void> {
    const manifestPath = this.options.manifestPath ?? path.join(PACKAGE_ROOT, 'module.manifest.json');
    const { manifest, factory } = await loadModuleFromManifest(manifestPath, HOST_API_VERSION);
    this.manifest = manifest;
    this.loaded = factory({
      bus: this.bus,
      onStatus: (message) => this.receive(message),
      config: this.options.config,
      logger: this.options.logger ?? silentLogger,
      ...(this.options.instanceId ? { instanceId: this.options.instanceId } : {}),
    }, this.options.factoryOptions);
    await this.loaded.initialize();
  }

  /** The loaded module's handle (after start()). */
  get handle(): ModuleHandle {
    if (!this.loaded) throw new Error('ReferenceHost: start() first');
    return this.loaded;
  }

  /** Resolves when the module has handled everything sent so far. */
  async idle(): Promise<void> {
    await this.loaded?.idle();
  }

  send(command: string, payload: Record<string, unknown> = {}): void {
    this.bus.emit('command', command, payload);
  }

  /** Sends a command and waits until the module has handled it. */
  async request(command: string, payload: Record<string, unknown> = {}): Promise<StatusMessage[]> {
    const before = this.statuses.length;
    this.send(command, payload);
    await this.loaded?.idle();
    return this.statuses.slice(before);
  }

  /** Resolves with the next status named `name` (or one already received after `since`). */
  waitFor<K extends StatusName>(name: K, timeoutMs = 10_000, since = 0): Promise<StatusOf<K>> {
    const earlier = this.statuses.slice(since).find((m) => m.status === name);
    if (earlier) return Promise.resolve(earlier as StatusOf<K>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.arrivals.off('status', listener);
        reject(new Error(`no ${name} status within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (message: StatusMessage): void => {
        if (message.status !== name) return;
        clearTimeout(timer);
        this.arrivals.off('status', listener);
        resolve(message as StatusOf<K>);
      };
      this.arrivals.on('status', listener);
    });
  }

  async stop(): Promise<void> {
    await this.loaded?.shutdown();
    this.loaded = null;
  }

  private receive(message: StatusMessage): void {
    this.statuses.push(message);
    this.options.onStatus?.(message);
    this.arrivals.emit('status', message);
  }
}
