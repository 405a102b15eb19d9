import type { ResolvedConfig } from '../config/config.js';
import type { DiskStats } from './disk_stats.js';

/** What the guard enforces on the output volume; from the `guard` config section. */
export interface StorageThresholds {
  /** Record starts but warns (-1008) at or above this share in use. */
  readonly warnPercent: number;
  /** Record is refused (-1010) and a running trial stopped at or above this share in use. */
  readonly blockPercent: number;
  /** Below this many GB available, recording stops too (disk_low). */
  readonly diskFreeGbMin: number;
}

/** ok: record freely. warn: record, but say space is low. critical: no recording. */
export type StorageLevel = 'ok' | 'warn' | 'critical';

export interface StorageAssessment {
  readonly usedPercent: number;
  readonly freeGb: number;
  readonly level: StorageLevel;
  /** Critical because fewer than diskFreeGbMin GB are available (rather than, or as well as, by percent). */
  readonly belowFreeMin: boolean;
  /** Bytes that can still be written before recording would be stopped. */
  readonly recordableBytes: number;
}

/** GB as disks are sold and df -H prints them. */
export const BYTES_PER_GB = 1e9;

export function thresholdsFrom(config: ResolvedConfig): StorageThresholds {
  const { guard } = config;
  return { warnPercent: guard.storage_warn_percent, blockPercent: guard.storage_block_percent, diskFreeGbMin: guard.disk_free_gb_min };
}

/**
 * Used share as seed 001 defines it: (total - available) / total, so blocks reserved for
 * root count as used; that is the space a recording can never get.
 */
export function usedPercent(stats: Pick<DiskStats, 'totalBytes' | 'availableBytes'>): number {
  if (stats.totalBytes <= 0) return 100;
  const used = Math.max(0, stats.totalBytes - stats.availableBytes);
  return Math.min(100, (used / stats.totalBytes) * 100);
}

export function assessStorage(stats: Pick<DiskStats, 'totalBytes' | 'availableBytes'>, thresholds: StorageThresholds): StorageAssessment {
  const percent = usedPercent(stats);
  const freeGb = stats.availableBytes / BYTES_PER_GB;
  const belowFreeMin = freeGb < thresholds.diskFreeGbMin;
  const level: StorageLevel = belowFreeMin || percent >= thresholds.blockPercent
    ? 'critical'
    : percent >= thresholds.warnPercent ? 'warn' : 'ok';
  const untilBlock = stats.availableBytes - stats.totalBytes * (1 - thresholds.blockPercent / 100);
  const untilFreeMin = stats.availableBytes - thresholds.diskFreeGbMin * BYTES_PER_GB;
  const recordableBytes = Math.max(0, Math.floor(Math.min(untilBlock, untilFreeMin)));
  return { usedPercent: percent, freeGb, level, belowFreeMin, recordableBytes };
}

/** Seconds of recording left at a measured rate; null when the rate is unknown. */
export function recordingSecondsLeft(recordableBytes: number, bytesPerSecond: number | null): number | null {
  if (bytesPerSecond === null || !(bytesPerSecond > 0)) return null;
  return recordableBytes / bytesPerSecond;
}
