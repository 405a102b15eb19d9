import type { StatusMessage } from '../events/statuses.js';
import { FrameIntervals } from './frame_intervals.js';
import { cameraHealth, diskHealth, dropHealth, HEALTH_THRESHOLDS, queueHealth, recordFpsHealth } from './health.js';
import type { CameraPresence, DiskFigures, MetricsSample } from './metrics_sample.js';
import type { ViewSource } from './view_source.js';

export const SAMPLE_INTERVAL_MS = 1000;
/** How often the disk is asked about while a page watches (a statfs and a stat per ask). */
export const STORAGE_POLL_MS = 5000;
/** After reading the volume failed (it may not exist yet), try again only this much later. */
export const STORAGE_RETRY_MS = 60_000;
/** Samples kept for a page that opens later: the plots' last five minutes. */
export const HISTORY_SAMPLES = 300;

type Listener = (sample: MetricsSample) => void;

/** Statuses after which the page gets a sample at once rather than at the next tick. */
const INTERIM_ON: ReadonlySet<string> = new Set(['device_lost', 'device_ready', 'recording_started', 'recording_stopped', 'recording_resumed', 'device_released']);

/**
 * Samples the module once a second for every open page, from the same figures get_status
 * and telemetry use. It runs only while a page listens: then it holds one frame hub tap
 * that just reads timestamps (never queues a frame) and reads the output volume every few
 * seconds as get_storage_info would (no status reaches the host for it).
 */
export class LiveMetrics {
  private readonly listeners = new Set<Listener>();
  private readonly intervals = new FrameIntervals();
  private readonly history: MetricsSample[] = [];
  private trialLabel: string | null = null;
  private disk: DiskFigures | null = null;
  private storageQuietUntil = 0;
  private timers: NodeJS.Timeout[] = [];
  private untap: (() => void) | null = null;
  private readonly offStatus: () => void;

  constructor(private readonly source: ViewSource) {
    this.offStatus = source.onStatus('view-metrics', (message) => this.onStatus(message));
  }

  /** The samples of the last few minutes, oldest first, then every new one until the returned function is called. */
  watch(listener: Listener): { history: readonly MetricsSample[]; stop: () => void } {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return {
      history: [...this.history],
      stop: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0) this.pause();
      },
    };
  }

  close(): void {
    this.listeners.clear();
    this.pause();
    this.offStatus();
  }

  /**
   * Takes one sample now: the timer's tick, or an interim one when the camera or the trial
   * changed (which neither closes the second of the jitter figures nor enters the history).
   */
  sample(interim = false): MetricsSample {
    const status = this.source.status();
    const telemetry = this.source.telemetry();
    const presence: CameraPresence = telemetry ? 'live' : this.source.capabilities() ? 'lost' : 'none';
    const last = this.history.at(-1);
    const second = interim ? { mean_ms: last?.interval_mean_ms ?? null, jitter_ms: last?.jitter_ms ?? null } : this.intervals.takeSecond();
    const before = this.history.at(-HEALTH_THRESHOLDS.windowSeconds) ?? null;
    const queueDepth = telemetry?.queue_depth ?? 0;
    const sample: MetricsSample = {
      time_ms: Date.now(),
      interim,
      state: status.state,
      camera: presence,
      camera_id: status.camera_id,
      session_id: status.session_id,
      trial_number: status.trial_number,
      trial_label: status.trial_number === null ? null : this.trialLabel,
      elapsed_seconds: status.elapsed_seconds,
      capture_fps: telemetry?.capture_fps ?? null,
      record_fps: telemetry?.record_fps ?? null,
      queue_depth: queueDepth,
      frames_captured: telemetry?.frames_captured ?? null,
      frames_recorded: status.frames_recorded,
      frames_dropped: status.frames_dropped,
      current_file: status.current_file,
      disk: this.disk,
      interval_mean_ms: second.mean_ms,
      jitter_ms: second.jitter_ms,
      histogram: this.intervals.histogram(),
      health: {
        camera: cameraHealth(presence),
        record_fps: recordFpsHealth(telemetry?.capture_fps ?? 0, telemetry?.record_fps ?? null, status.elapsed_seconds),
        queue: queueHealth(queueDepth, before?.queue_depth ?? queueDepth),
        drops: dropHealth(status.frames_dropped, sameTrial(before, status.trial_number) ? before.frames_dropped : status.frames_dropped),
        disk: diskHealth(this.disk?.level ?? null, this.disk?.estimated_seconds_left ?? null),
      },
    };
    if (interim) return sample;
    this.history.push(sample);
    if (this.history.length > HISTORY_SAMPLES) this.history.shift();
    return sample;
  }

  private start(): void {
    this.untap = this.source.subscribeFrames('view-intervals', (frame) => this.intervals.add(frame), { maxQueueFrames: 1 });
    this.timers = [
      setInterval(() => this.tick(), SAMPLE_INTERVAL_MS),
      setInterval(() => void this.pollStorage(), STORAGE_POLL_MS),
    ];
    void this.pollStorage();
  }

  private pause(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.untap?.();
    this.untap = null;
  }

  private tick(interim = false): void {
    const sample = this.sample(interim);
    for (const listener of this.listeners) listener(sample);
  }

  private async pollStorage(): Promise<void> {
    if (this.source.status().state === 'closed' || Date.now() < this.storageQuietUntil) return;
    try {
      const info = await this.source.storage();
      this.disk = { available_bytes: info.available_space, used_percent: info.used_percent, level: info.level, estimated_seconds_left: info.estimated_seconds_left };
    } catch {
      // Not there yet or not readable: the bar shows no disk figures until it is.
      this.disk = null;
      this.storageQuietUntil = Date.now() + STORAGE_RETRY_MS;
    }
  }

  private onStatus(message: StatusMessage): void {
    // A camera lost and back within a second must still show on the page: tell it at once,
    // once the status's handler has finished changing the state.
    if (INTERIM_ON.has(message.status) && this.listeners.size > 0) setImmediate(() => this.tick(true));
    switch (message.status) {
      case 'recording_started':
        this.trialLabel = message.data.trial_label;
        this.intervals.startTrial();
        break;
      case 'recording_resumed':
        this.intervals.resumeTrial();
        break;
      case 'recording_stopped':
        this.intervals.endTrial();
        break;
      default:
        break;
    }
  }
}

/** Drop counters restart with each trial: compare only within one. */
function sameTrial(before: MetricsSample | null, trialNumber: number | null): before is MetricsSample {
  return before !== null && before.trial_number === trialNumber;
}
