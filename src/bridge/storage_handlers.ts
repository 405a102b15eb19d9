import path from 'node:path';
import type { DiskReading } from '../storage/disk_guard.js';
import type { StorageInfoStatus } from '../generated/schema-types.js';
import { recordingSecondsLeft, thresholdsFrom } from '../storage/storage_policy.js';
import type { StopReason, TrialRecorder, TrialRotation } from '../storage/types.js';
import { diskGuardOptions, reportStorageWarning, storageCriticalError } from '../storage/storage_gate.js';
import { round2 } from '../events/rounding.js';
import type { HandlerDeps } from './handler_deps.js';
import { sizeOrZero } from '../storage/file_size.js';

type Deps = Pick<HandlerDeps, 'bus' | 'reporter' | 'reportError' | 'config' | 'diskGuard' | 'session' | 'enqueue' | 'hostState'>;

/** A trial shorter than this says little about the bitrate (the first frames are keyframes, headers). */
const MIN_SECONDS_FOR_BITRATE = 1;

/**
 * The storage side of recording: get_storage_info, the disk guard and its alarms, and the
 * rotation status (the check on the record path is storage_gate.ts). Alarms arrive through
 * the runtime's queue.
 */
export class StorageHandlers {
  /** The latest trial and the one before it, for the bitrate estimate. */
  private latest: TrialRecorder | null = null;
  private previous: TrialRecorder | null = null;
  /** The folder whose volume the guard watches: the newest trial's, before any trial storage.base_path. */
  private watchedDir: string | null = null;
  constructor(
    private readonly deps: Deps,
    /** Ends the running trial when the volume becomes critical (the recording handlers' finishTrial). */
    private readonly stopTrial: (reason: StopReason) => Promise<void>,
  ) {}

  /** Watches the volume of dir (from `initial` when the caller just read it). */
  watch(dir: string, initial?: DiskReading): void {
    this.watchedDir = dir;
    this.deps.diskGuard.start(dir, diskGuardOptions(this.deps.config.current), {
      onCritical: (reading) => {
        this.announce(dir, reading);
        void this.deps.enqueue(() => this.onCritical(dir, reading));
      },
      onWarn: (reading) => {
        this.announce(dir, reading);
        void this.deps.enqueue(async () => this.onWarn(reading));
      },
    }, initial);
  }

  private announce(dir: string, reading: DiskReading): void {
    this.deps.bus.emit('disk_state', { dir, level: reading.level, usedPercent: reading.usedPercent, availableBytes: reading.availableBytes });
  }

  /**
   * After apply_config changed guard.* or storage.base_path: the same folder is watched with
   * the new settings, so a running trial's volume stays the one watched; only before any
   * trial does a new base_path move the guard.
   */
  rewatch(basePathChanged: boolean): void {
    const dir = this.latest === null && basePathChanged ? this.deps.config.current.storage.base_path : this.watchedDir;
    this.watch(dir ?? this.deps.config.current.storage.base_path);
  }

  /** After a trial started in the warn band: storage_warning (-1008). */
  warnIfLow(reading: DiskReading): void {
    if (reading.level === 'warn') this.onWarn(reading);
  }

  async getStorageInfo(): Promise<void> {
    this.deps.reporter.report('storage_info', await this.describeStorage());
  }

  /** get_storage_info's answer, also read by the web view without a status reaching the host. */
  async describeStorage(): Promise<StorageInfoStatus> {
    const config = this.deps.config.current;
    const thresholds = thresholdsFrom(config);
    const dir = path.resolve(this.deps.session.dir ?? config.storage.base_path);
    const reading = await this.deps.diskGuard.read(dir, thresholds, { mountName: true });
    const bitrate = await this.measureBitrate();
    const secondsLeft = recordingSecondsLeft(reading.recordableBytes, bitrate.bytesPerSecond);
    return {
      path: dir, mount: reading.mount, total_space: reading.totalBytes, available_space: reading.availableBytes,
      used_space: Math.max(0, reading.totalBytes - reading.availableBytes), used_percent: round2(reading.usedPercent),
      warn_threshold: thresholds.warnPercent, block_threshold: thresholds.blockPercent, disk_free_gb_min: thresholds.diskFreeGbMin,
      level: reading.level, recordable_bytes: reading.recordableBytes,
      bytes_per_second: bitrate.bytesPerSecond === null ? null : Math.round(bitrate.bytesPerSecond),
      bitrate_source: bitrate.source,
      estimated_seconds_left: secondsLeft === null ? null : Math.round(secondsLeft),
    };
  }

  /** The guard found the volume critical: stop the trial cleanly, then say why. */
  private async onCritical(dir: string, reading: DiskReading): Promise<void> {
    const thresholds = thresholdsFrom(this.deps.config.current);
    await this.stopTrial(reading.belowFreeMin ? 'disk_low' : 'storage_critical');
    if (reading.belowFreeMin) {
      this.deps.reporter.report('disk_low', { free_gb: round2(reading.freeGb), min_required_gb: thresholds.diskFreeGbMin, path: dir });
    }
    if (reading.usedPercent >= thresholds.blockPercent) this.deps.reportError(null, storageCriticalError(reading, thresholds));
  }

  private onWarn(reading: DiskReading): void {
    reportStorageWarning(this.deps.reporter, reading, thresholdsFrom(this.deps.config.current), this.deps.hostState() === 'recording');
  }

  /** Every trial the runtime starts passes here, so the bitrate can be measured on it later. */
  observe(trial: TrialRecorder): void {
    if (trial === this.latest) return;
    this.previous = this.latest;
    this.latest = trial;
  }

  reportRotated(trial: TrialRecorder, rotation: TrialRotation): void {
    this.deps.reporter.report('recording_rotated', {
      camera_id: trial.context.cameraId, session_id: trial.context.sessionId, trial_number: trial.context.trialNumber,
      video_path: rotation.videoPath, previous_video_path: rotation.previousVideoPath,
      previous_file_frames: rotation.previousFileFrames, file_index: rotation.fileIndex,
      timing_path: trial.paths.timingPath, next_frame_index: rotation.nextFrameIndex,
    });
  }

  /** Bytes on disk per second of recording: the running trial once it has a second, else the one before. */
  private async measureBitrate(): Promise<{ bytesPerSecond: number | null; source: 'current_trial' | 'last_trial' | null }> {
    for (const trial of [this.latest, this.previous]) {
      if (trial === null) continue;
      const stats = trial.stats();
      if (stats.recordedSeconds < MIN_SECONDS_FOR_BITRATE) continue;
      const sizes = await Promise.all([...stats.videoFiles, trial.paths.timingPath].map(sizeOrZero));
      const bytes = sizes.reduce((sum, size) => sum + size, 0);
      return { bytesPerSecond: bytes / stats.recordedSeconds, source: trial.active ? 'current_trial' : 'last_trial' };
    }
    return { bytesPerSecond: null, source: null };
  }
}

