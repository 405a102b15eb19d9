import { EventEmitter } from 'eventemitter3';
import type { ModuleError } from '../errors/codes.js';
import type { Logger } from '../logging/logger.js';
import type { FileClosed, FileOpened } from './file_events.js';
import type { StatusMessage } from './statuses.js';

/** A volume the disk guard read (warn / critical / ok), with the folder it watched. */
export interface DiskStateEvent {
  readonly dir: string;
  readonly level: 'ok' | 'warn' | 'critical';
  readonly usedPercent: number;
  readonly availableBytes: number;
}

/** Every event inside one module instance, in one typed map. */
export interface ModuleEvents {
  /** A status for the hosts (stdio adapter, in-process host, later HTTP and the view). */
  status: (message: StatusMessage) => void;
  /** A subscriber of a camera's frame hub lost frames (its queue was full). */
  frames_lost: (event: { readonly cameraId: string; readonly subscriber: string; readonly count: number }) => void;
  file_opened: (file: FileOpened) => void;
  file_closed: (file: FileClosed) => void;
  capture_error: (event: { readonly cameraId: string; readonly error: ModuleError }) => void;
  disk_state: (event: DiskStateEvent) => void;
}

export type ModuleEventName = keyof ModuleEvents;

/**
 * The module's internal bus. Each listener belongs to an owner: one that throws is logged
 * with its owner and event and cannot break the others, and removeOwner() detaches
 * everything an owner (an adapter, a consumer) registered when it stops.
 */
export class ModuleBus {
  private readonly emitter = new EventEmitter<ModuleEvents>();
  private readonly byOwner = new Map<string, Array<() => void>>();

  constructor(private readonly logger: Logger) {}

  on<K extends ModuleEventName>(event: K, owner: string, listener: ModuleEvents[K]): () => void {
    const guarded = ((...args: unknown[]) => {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.logger.error('event listener threw', { owner, event, error: err instanceof Error ? err.message : String(err) });
      }
    }) as ModuleEvents[K];
    this.emitter.on(event, guarded as never);
    const off = (): void => {
      this.emitter.off(event, guarded as never);
    };
    const offs = this.byOwner.get(owner) ?? [];
    offs.push(off);
    this.byOwner.set(owner, offs);
    return off;
  }

  emit<K extends ModuleEventName>(event: K, ...args: Parameters<ModuleEvents[K]>): void {
    (this.emitter.emit as (event: K, ...a: Parameters<ModuleEvents[K]>) => boolean)(event, ...args);
  }

  removeOwner(owner: string): void {
    for (const off of this.byOwner.get(owner) ?? []) off();
    this.byOwner.delete(owner);
  }

  listenerCount(event: ModuleEventName): number {
    return this.emitter.listenerCount(event);
  }
}
