/**
 * The one table of error codes. Codes are stable: hosts and analysis scripts match on them.
 * -1006, -1008 and -1010 are the recording-management codes of seed 001.
 */
export const ERROR_TABLE = {
  UNKNOWN_COMMAND: { code: -1001, message: 'Unknown command' },
  INVALID_PARAMS: { code: -1002, message: 'Invalid parameters' },
  NO_DEVICE: { code: -1003, message: 'No camera assigned' },
  NOT_RECORDING: { code: -1004, message: 'Camera is not recording' },
  STORAGE_UNAVAILABLE: { code: -1005, message: 'Storage information unavailable' },
  ALREADY_RECORDING: { code: -1006, message: 'Camera is currently recording' },
  DEVICE_FAILED: { code: -1007, message: 'Camera could not be opened' },
  STORAGE_LOW: { code: -1008, message: 'Storage space is low' },
  ENCODER_FAILED: { code: -1009, message: 'Video writer failed' },
  STORAGE_CRITICAL: { code: -1010, message: 'Storage space is critical' },
  DEVICE_LOST: { code: -1011, message: 'Camera was lost' },
  INVALID_STATE: { code: -1012, message: 'Command not allowed in the current state' },
  FFMPEG_NOT_FOUND: { code: -1013, message: 'ffmpeg was not found' },
  INVALID_CONTROL: { code: -1014, message: 'Invalid camera control' },
  INTERNAL: { code: -1015, message: 'Internal error' },
  SHUTTING_DOWN: { code: -1016, message: 'Module is shutting down' },
} as const;

export type ErrorName = keyof typeof ERROR_TABLE;
export type ErrorCodeNumber = (typeof ERROR_TABLE)[ErrorName]['code'];

export interface ModuleErrorOptions {
  /** The offending input field, for INVALID_PARAMS and friends. */
  field?: string;
  /** Structured details for the host (free space, session id, allowed range...). */
  data?: Record<string, unknown>;
  /** False when the module cannot go on without a restart. */
  recoverable?: boolean;
  cause?: unknown;
}

/** An error that knows its stable code; everything thrown across a module boundary is one. */
export class ModuleError extends Error {
  override readonly name = 'ModuleError';
  readonly field: string | null;
  readonly data: Record<string, unknown> | undefined;
  readonly recoverable: boolean;

  constructor(
    readonly kind: ErrorName,
    message: string = ERROR_TABLE[kind].message,
    options: ModuleErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field ?? null;
    this.data = options.data;
    this.recoverable = options.recoverable ?? true;
  }

  get code(): ErrorCodeNumber {
    return ERROR_TABLE[this.kind].code;
  }
}

/** Wraps anything thrown into a ModuleError, keeping ModuleErrors as they are. */
export function toModuleError(err: unknown, fallback: ErrorName = 'INTERNAL'): ModuleError {
  if (err instanceof ModuleError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ModuleError(fallback, message, { cause: err });
}
