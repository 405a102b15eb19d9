import { ERROR_TABLE, ModuleError } from '../errors/codes.js';
import type { ResolvedConfig } from '../config/config.js';
import type { DiskGuardOptions, DiskReading } from '../storage/disk_guard.js';
import { BYTES_PER_GB, thresholdsFrom, type StorageThresholds } from '../storage/storage_policy.js';
import type { CamerasRuntime } from './runtime.js';

import { round2 } from './rounding.js';
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
export function reportStorageWarning(rt: CamerasRuntime, reading: DiskReading): void {
  const thresholds = thresholdsFrom(rt.config.current);
  const used = round2(reading.usedPercent);
  rt.reporter.report('storage_warning', {
    code: ERROR_TABLE.STORAGE_LOW.code,
    message: `${ERROR_TABLE.STORAGE_LOW.message}: ${gb(reading.availableBytes)} GB available of ${gb(reading.totalBytes)} GB (${used} % used; recording stops at ${thresholds.blockPercent} %)`,
    path: reading.path, total_space: reading.totalBytes, available_space: reading.availableBytes, used_percent: used,
    warn_threshold: thresholds.warnPercent, block_threshold: thresholds.blockPercent, recording: rt.state === 'recording',
  });
}

/**
 * record's storage gate: one statfs of the trial's folder (no child process, so the first
 * frame still follows record within a frame interval). Refuses with -1010 when critical;
 * the guard then watches that folder, starting from this reading. A reading in the warn
 * band is returned for warnIfLow once the trial runs.
 */
export async function admitRecording(rt: CamerasRuntime, dir: string): Promise<DiskReading> {
  const thresholds = thresholdsFrom(rt.config.current);
  const reading = await rt.diskGuard.read(dir, thresholds);
  rt.watchDisk(dir, reading);
  if (reading.level === 'critical') throw storageCriticalError(reading, thresholds);
  return reading;
}

/** After a trial started in the warn band: storage_warning (-1008). */
export function warnIfLow(rt: CamerasRuntime, reading: DiskReading): void {
  if (reading.level === 'warn') reportStorageWarning(rt, reading);
}
