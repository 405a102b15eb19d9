import type { Logger } from '../../logging/logger.js';
import type { StorageReader } from '../segments/segment_ring.js';
import type { StorageThresholds } from '../storage_policy.js';

/** The disk guard and its thresholds, as clips read them. */
export interface ClipStorage {
  readonly guard: StorageReader;
  readonly thresholds: StorageThresholds;
}

const MB = 1e6;

/**
 * Whether a clip may write more bytes into a folder: the bytes must fit below the disk guard's
 * limits (storage_block_percent, disk_free_gb_min), so that a clip never brings the volume to
 * where recordings stop. A volume that cannot be read is allowed (logged), as the ring does.
 */
export class ClipDiskCheck {
  constructor(private readonly storage: ClipStorage | null, private readonly logger: Logger) {}

  /** null when `bytes` more fit; otherwise why not, in a sentence. */
  async refusal(dir: string, bytes: number): Promise<string | null> {
    if (this.storage === null) return null;
    let reading;
    try {
      reading = await this.storage.guard.read(dir, this.storage.thresholds);
    } catch (err) {
      this.logger.warn('clips: free-space check failed', { dir, error: err instanceof Error ? err.message : String(err) });
      return null;
    }
    if (reading.level === 'critical') {
      return `the disk is at the guard's limit (${reading.usedPercent.toFixed(1)} % used, ${reading.freeGb.toFixed(2)} GB free): no clip is written`;
    }
    if (bytes > reading.recordableBytes) {
      return `not enough free space for the clip: about ${(bytes / MB).toFixed(1)} MB still to write, `
        + `${(reading.recordableBytes / MB).toFixed(1)} MB left before the guard's limits (guard.storage_block_percent, guard.disk_free_gb_min)`;
    }
    return null;
  }
}
