import type { EventEmitter } from 'eventemitter3';
import type { StatusCallback } from '../events/statuses.js';
import type { Logger } from '../logging/logger.js';

/** Events the host puts on the bus it gives the module. */
export interface HostBusEvents {
  /** One command: its name (aliases allowed, case-insensitive) and its parameters. */
  command: (name: string, payload?: Record<string, unknown>) => void;
  /** Input the host could not even turn into a command (not JSON, not an object); answered with an error status. */
  invalid_input: (problem: string) => void;
}

export type CommandBus = EventEmitter<HostBusEvents>;

/** What a host gives the module. */
export interface ModuleHost {
  readonly bus: CommandBus;
  /** Every status the module emits, in order. */
  readonly onStatus: StatusCallback;
  /** Configuration (schemas/config.schema.json); missing fields take the defaults. */
  readonly config?: unknown;
  readonly logger?: Logger;
  /** The host's name for this instance (RPi_Logger: CAMERAS:usb:<stable_id>). */
  readonly instanceId?: string;
}

/** What the module gives back. */
export interface ModuleHandle {
  /** Starts listening on the bus and reports `ready`. */
  initialize(): Promise<void>;
  /** Finalizes files, releases the camera, stops every child process. Idempotent. */
  shutdown(): Promise<void>;
  /** Resolves when every command received so far has been handled. */
  idle(): Promise<void>;
}
