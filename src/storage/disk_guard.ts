import { ModuleError } from '../errors/codes.js';
import { silentLogger, type Logger } from '../host/logger.js';
import type { DiskStats, DiskStatsProvider } from './disk_stats.js';

export { SystemDiskStatsProvider, type DiskStats, type DiskStatsProvider } from './disk_stats.js';

export interface DiskGuardOptions {
  readonly diskFreeGbMin: number;
  readonly checkIntervalMs: number;
}

export interface DiskReading extends DiskStats {
  /** Available space in GB (10^9 bytes, as disks are sold and df -H prints). */
  readonly freeGb: number;
  readonly low: boolean;
}

export type LowDiskHandler = (freeGb: number, minGb: number) => void;

const BYTES_PER_GB = 1e9;

/**
 * Watches free space on the volume of the output folder. Polls on an unref'd timer that
 * is re-armed only after a check finished (two checks never overlap), calls onLow once
 * per fall below the minimum, and logs a failing check instead of throwing from a timer.
 */
export class DiskGuard {
  private target: { path: string; options: DiskGuardOptions; onLow: LowDiskHandler } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<DiskReading> | null = null;
  private low = false;
  private lowReported = false;
  private reading: DiskReading | null = null;
  /** Bumped by start/stop so a check begun for an older target changes nothing. */
  private generation = 0;

  constructor(private readonly provider: DiskStatsProvider, private readonly logger: Logger = silentLogger) {}

  /** Watches `path` (restarting if already watching); the first check runs at once. */
  start(path: string, options: DiskGuardOptions, onLow: LowDiskHandler): void {
    this.stop();
    this.target = { path, options, onLow };
    this.poll();
  }

  stop(): void {
    this.generation += 1;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.target = null;
    this.inFlight = null;
    this.low = false;
    this.lowReported = false;
  }

  isLow(): boolean {
    return this.low;
  }

  get lastReading(): DiskReading | null {
    return this.reading;
  }

  /** One reading now (joining a check already running); rejects with STORAGE_UNAVAILABLE. */
  check(): Promise<DiskReading> {
    const target = this.target;
    if (target === null) {
      return Promise.reject(new ModuleError('STORAGE_UNAVAILABLE', 'Disk guard is not watching any folder'));
    }
    this.inFlight ??= this.readOnce(target.path, target.options, target.onLow, this.generation)
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private async readOnce(path: string, options: DiskGuardOptions, onLow: LowDiskHandler, generation: number): Promise<DiskReading> {
    let stats: DiskStats;
    try {
      stats = await this.provider.stats(path);
    } catch (err) {
      throw new ModuleError('STORAGE_UNAVAILABLE', `Cannot read free space for ${path}: ${(err as Error).message}`, {
        cause: err, data: { path },
      });
    }
    const freeGb = stats.availableBytes / BYTES_PER_GB;
    const reading: DiskReading = { ...stats, freeGb, low: freeGb < options.diskFreeGbMin };
    if (generation === this.generation) this.apply(reading, options.diskFreeGbMin, onLow);
    return reading;
  }

  private apply(reading: DiskReading, minGb: number, onLow: LowDiskHandler): void {
    this.reading = reading;
    this.low = reading.low;
    if (!reading.low) {
      this.lowReported = false;
      return;
    }
    if (this.lowReported) return;
    this.lowReported = true;
    try {
      onLow(reading.freeGb, minGb);
    } catch (err) {
      this.logger.error('disk guard: low-disk handler threw', { error: String(err) });
    }
  }

  private poll(): void {
    const generation = this.generation;
    this.check()
      .catch((err: unknown) => {
        this.logger.warn('disk guard: free-space check failed', { path: this.target?.path, error: String(err) });
      })
      .finally(() => {
        if (generation !== this.generation || this.target === null) return;
        this.timer = setTimeout(() => this.poll(), this.target.options.checkIntervalMs);
        this.timer.unref();
      });
  }
}
