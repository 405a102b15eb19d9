import 'reflect-metadata';

export { createCamerasModule, type CamerasModuleHandle, type ModuleOptions } from './module_factory.js';
export type { ModuleHost, ModuleHandle, HostBusEvents, CommandBus } from './host/contract.js';
export type { Logger, LogLevel } from './logging/logger.js';
export { StreamLogger, silentLogger } from './logging/logger.js';
export { ReferenceHost } from './host/reference_host.js';
export { loadModuleFromManifest, readManifest, type ModuleManifest } from './host/manifest.js';
export type { StatusMessage, StatusName, StatusPayloads, StatusCallback } from './events/statuses.js';
export { ALL_COMMAND_NAMES, COMMAND_ALIASES, CANONICAL_COMMANDS, type CommandName, type CanonicalCommand } from './bridge/commands.js';
export { ERROR_TABLE, ModuleError, type ErrorName } from './errors/codes.js';
export { TOKENS } from './di/tokens.js';
export type { CamerasConfig, ResolvedConfig } from './config/config.js';
export { resolveConfig } from './config/resolve.js';
export type { CommandPayloads } from './generated/schema-types.js';
export {
  Recorder, timebaseFromHealth, epochMsToPts, ptsToEpochMs, ClipError, ClipRequestError, ClipHttpError, ClipTimeoutError,
  type RecorderConfig, type ClipRequest, type ClipResult, type Timebase,
} from './client/index.js';
