/** The storage side of the module: what the runtime and the DI container use. */
export * from './types.js';
export { resolveSessionPaths, sanitizeLabel, sanitizePrefix, videoPartPath, withExtension, type SessionPathRequest } from './session_paths.js';
export { DefaultVideoWriterFactory, chooseVideoFormat, type VideoFormatChoice } from './video_writer_factory.js';
export { MatroskaWriter, type MatroskaWriterOptions } from './mkv/matroska_writer.js';
export { TranscodeWriter } from './transcode/transcode_writer.js';
export { DefaultTrialRecorderFactory, type TrialRecorderOptions } from './trial_recorder.js';
export { TimingCSVWriter, DefaultTimingWriterFactory, type TimingWriterFactory, type TimingWriterOptions } from './timing_writer.js';
export { TIMING_COLUMNS, formatNsAsSeconds, type TimingRow } from './timing_format.js';
export { readTimingCsv, type TimingCsvRow } from './timing_reader.js';
export { writeMetadataCsv, METADATA_COLUMNS, type TrialMetadata } from './metadata_writer.js';
export { DiskGuard, type DiskGuardHandlers, type DiskGuardOptions, type DiskReading } from './disk_guard.js';
export { assessStorage, thresholdsFrom, type StorageLevel, type StorageThresholds } from './storage_policy.js';
export { SystemDiskStatsProvider, type DiskStats, type DiskStatsProvider } from './disk_stats.js';
