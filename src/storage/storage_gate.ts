import { ERROR_TABLE, ModuleError } from '../errors/codes.js';
import type { ResolvedConfig } from '../config/config.js';
import type { StatusReporter } from '../events/status_reporter.js';
import { round2 } from '../events/rounding.js';
import type { DiskGuard, DiskGuardOptions, DiskReading } from './disk_guard.js';
import { BYTES_PER_GB, type StorageThresholds } from './storage_policy.js';
import { thresholdsFrom } from './storage_policy.js';
const gb = (bytes: number): string => (bytes / BYTES_PER_GB).toFixed(2);

export function diskGuardOptions(config: ResolvedConfig): DiskGuardOptions {
  return { ...thresholdsFrom(config), checkIntervalMs: config.guard.check_interval_ms };
}

/** -1010 with the figures seed 001 asks for (available and total bytes) and what triggered it. */
export function storageCriticalError(reading: DiskReading, thresholds: StorageThresholds): ModuleError {
  const used = round2(reading.usedPercent);
  const why = reading.belowFreeMin
    ? `fewer than ${thresholds.diskFreeGbMin} GB free (guard.disk_free_gb_min)`
    : `${used} % used, limit ${thresholds.blockPercent} %`;
  return new ModuleError('STORAGE_CRITICAL', `${ERROR_TABLE.STORAGE_CRITICAL.message}: ${gb(reading.availableBytes)} GB available of ${gb(reading.totalBytes)} GB (${why})`, {
    data: {
      available_space: reading.availableBytes, total_space: reading.totalBytes, used_percent: used,
      block_threshold: thresholds.blockPercent, disk_free_gb_min: thresholds.diskFreeGbMin, path: reading.path,
    },
  });
}

/** storage_warning (-1008): the volume is in the warn band; recording goes on. */
export function reportStorageWarning(reporter: StatusReporter, reading: DiskReading, thresholds: StorageThresholds, recording: boolean): void {
  const used = round2(reading.usedPercent);
  reporter.report('storage_warning', {
    code: ERROR_TABLE.STORAGE_LOW.code,
    message: `${ERROR_TABLE.STORAGE_LOW.message}: ${gb(reading.availableBytes)} GB available of ${gb(reading.totalBytes)} GB (${used} % used; recording stops at ${thresholds.blockPercent} %)`,
    path: reading.path, total_space: reading.totalBytes, available_space: reading.availableBytes, used_percent: used,
    warn_threshold: thresholds.warnPercent, block_threshold: thresholds.blockPercent, recording,
  });
}

/**
 * record's storage gate: one statfs of the trial's folder (no child process, so the first
 * frame still follows record within a frame interval). Refuses with -1010 when critical.
 * The reading is returned so the guard can start watching that folder from it and a
 * reading in the warn band can be reported once the trial runs.
 */
export async function admitRecording(guard: DiskGuard, thresholds: StorageThresholds, dir: string): Promise<DiskReading> {
  const reading = await guard.read(dir, thresholds);
  if (reading.level === 'critical') throw storageCriticalError(reading, thresholds);
  return reading;
}
