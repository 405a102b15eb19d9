import { ModuleError } from '../errors/codes.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { DiskStats, DiskStatsOptions, DiskStatsProvider } from './disk_stats.js';
import { assessStorage, type StorageAssessment, type StorageLevel, type StorageThresholds } from './storage_policy.js';

export { SystemDiskStatsProvider, type DiskStats, type DiskStatsProvider } from './disk_stats.js';

export interface DiskGuardOptions extends StorageThresholds {
  readonly checkIntervalMs: number;
}

export interface DiskReading extends DiskStats, StorageAssessment {}

export interface DiskGuardHandlers {
  /** Recording must stop: the volume became critical (block percent or disk_free_gb_min). Once per fall. */
  readonly onCritical: (reading: DiskReading) => void;
  /** The volume rose from ok into the warn band. Once per rise. */
  readonly onWarn: (reading: DiskReading) => void;
}

const LEVEL_RANK: Record<StorageLevel, number> = { ok: 0, warn: 1, critical: 2 };

/**
 * Watches the space on the volume of the output folder. Polls with statfs only (no child
 * process) on an unref'd timer re-armed after each check (two checks never overlap), tells
 * the handlers when the level rises, and logs a failing check instead of throwing from a timer.
 */
export class DiskGuard {
  private target: { path: string; options: DiskGuardOptions; handlers: DiskGuardHandlers } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<DiskReading> | null = null;
  /** The level the handlers last heard of (or that the caller of start() already handled). */
  private reported: StorageLevel = 'ok';
  private reading: DiskReading | null = null;
  /** Bumped by start/stop so a check begun for an older target changes nothing. */
  private generation = 0;

  constructor(private readonly provider: DiskStatsProvider, private readonly logger: Logger = silentLogger) {}

  /**
   * Watches `path` (restarting if already watching). Without `initial` the first check runs
   * at once; with it (a reading the caller just took and acted on) the next one runs after
   * the interval and the handlers only hear about a rise above initial's level.
   */
  start(path: string, options: DiskGuardOptions, handlers: DiskGuardHandlers, initial?: DiskReading): void {
    this.stop();
    this.target = { path, options, handlers };
    if (initial === undefined) {
      this.poll();
      return;
    }
    this.reading = initial;
    this.reported = initial.level;
    this.schedule(this.generation);
  }

  stop(): void {
    this.generation += 1;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.target = null;
    this.inFlight = null;
    this.reported = 'ok';
  }

  /** The level of the last reading; 'ok' before the first. */
  get level(): StorageLevel {
    return this.reading?.level ?? 'ok';
  }

  get lastReading(): DiskReading | null {
    return this.reading;
  }

  get watchedPath(): string | null {
    return this.target?.path ?? null;
  }

  /** One reading of the watched folder now (joining a check already running); rejects with STORAGE_UNAVAILABLE. */
  check(): Promise<DiskReading> {
    const target = this.target;
    if (target === null) {
      return Promise.reject(new ModuleError('STORAGE_UNAVAILABLE', 'Disk guard is not watching any folder'));
    }
    const generation = this.generation;
    this.inFlight ??= this.read(target.path, target.options, { mountName: false })
      .then((reading) => {
        if (generation === this.generation) this.apply(reading, target.handlers);
        return reading;
      })
      .finally(() => {
        if (generation === this.generation) this.inFlight = null;
      });
    return this.inFlight;
  }

  /** One reading of any folder, assessed against `thresholds`; changes nothing. Rejects with STORAGE_UNAVAILABLE. */
  async read(path: string, thresholds: StorageThresholds, options: DiskStatsOptions = { mountName: false }): Promise<DiskReading> {
    let stats: DiskStats;
    try {
      stats = await this.provider.stats(path, options);
    } catch (err) {
      throw new ModuleError('STORAGE_UNAVAILABLE', `Storage information unavailable for ${path}: ${(err as Error).message}`, {
        cause: err, data: { path },
      });
    }
    return { ...stats, ...assessStorage(stats, thresholds) };
  }

  private apply(reading: DiskReading, handlers: DiskGuardHandlers): void {
    this.reading = reading;
    const rising = LEVEL_RANK[reading.level] > LEVEL_RANK[this.reported];
    this.reported = reading.level;
    if (!rising) return;
    try {
      if (reading.level === 'critical') handlers.onCritical(reading);
      else handlers.onWarn(reading);
    } catch (err) {
      this.logger.error('disk guard: storage handler threw', { level: reading.level, error: String(err) });
    }
  }

  private poll(): void {
    const generation = this.generation;
    this.check()
      .catch((err: unknown) => {
        this.logger.warn('disk guard: free-space check failed', { path: this.target?.path, error: String(err) });
      })
      .finally(() => this.schedule(generation));
  }

  private schedule(generation: number): void {
    if (generation !== this.generation || this.target === null) return;
    this.timer = setTimeout(() => this.poll(), this.target.options.checkIntervalMs);
    this.timer.unref();
  }
}
