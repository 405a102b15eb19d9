import type { StatusMessage } from '../events/statuses.js';
import { FrameIntervals, type IntervalSecond } from './frame_intervals.js';
import { cameraHealth, diskHealth, dropHealth, HEALTH_THRESHOLDS, queueHealth, recordFpsHealth } from './health.js';
import type { CameraPresence, DiskFigures, MetricsHistory, MetricsSample } from './metrics_sample.js';
import { PlotSeries, type SeriesPoint } from './plot_series.js';
import type { ViewSource } from './view_source.js';

export const SAMPLE_INTERVAL_MS = 1000;
/** How often the disk is asked about while a page watches (a statfs and a stat per ask). */
export const STORAGE_POLL_MS = 5000;
/** After reading the volume failed (it may not exist yet), try again only this much later. */
export const STORAGE_RETRY_MS = 60_000;
/** Outside a trial, the plots show this many seconds: the last five minutes. */
export const RECENT_POINTS = 300;
/** A trial's plots keep one point a second up to two hours, then merge pairs (see PlotSeries). */
export const TRIAL_POINTS = 7200;

export interface MetricsWatcher {
  readonly onSample: (sample: MetricsSample) => void;
  /** The plots' whole series: when the page connects, and again when a trial starts. */
  readonly onHistory: (history: MetricsHistory) => void;
}

/** Statuses after which the page gets a sample at once rather than at the next tick. */
const INTERIM_ON: ReadonlySet<string> = new Set(['device_lost', 'device_ready', 'recording_started', 'recording_stopped', 'recording_resumed', 'device_released']);

/** What the health levels compare against: the sample of a few seconds ago. */
interface HealthInputs {
  readonly queue_depth: number;
  readonly frames_dropped: number;
  readonly trial_number: number | null;
}

/**
 * Samples the module once a second, from the same figures get_status and telemetry use,
 * while a page listens or a trial is open: a page opened in the middle of a trial gets the
 * trial's plots and histogram from its first second. Meanwhile it holds one frame hub tap
 * that just reads timestamps (never queues a frame) and reads the output volume every few
 * seconds as get_storage_info would (no status reaches the host for it).
 */
export class LiveMetrics {
  private readonly watchers = new Set<MetricsWatcher>();
  private readonly intervals = new FrameIntervals();
  private readonly recent: SeriesPoint[] = [];
  private readonly lastSeconds: HealthInputs[] = [];
  /** The open (or last) trial's plots; null before the first trial. */
  private trial: PlotSeries | null = null;
  private trialOpen = false;
  private trialLabel: string | null = null;
  private lastSecond: IntervalSecond = { mean_ms: null, jitter_ms: null };
  private disk: DiskFigures | null = null;
  private storageQuietUntil = 0;
  private timers: NodeJS.Timeout[] = [];
  private untap: (() => void) | null = null;
  private readonly offStatus: () => void;

  constructor(private readonly source: ViewSource) {
    this.offStatus = source.onStatus('view-metrics', (message) => this.onStatus(message));
  }

  /** Every new sample until the returned function is called; the plots' history first. */
  watch(watcher: MetricsWatcher): () => void {
    this.watchers.add(watcher);
    this.follow();
    watcher.onHistory(this.history());
    return () => {
      this.watchers.delete(watcher);
      this.follow();
    };
  }

  /** The plots as a page opening now should draw them: the open trial's whole series, else the last minutes. */
  history(): MetricsHistory {
    const trial = this.trialOpen ? this.trial?.snapshot() : undefined;
    return {
      trial_number: trial ? this.source.status().trial_number : null,
      seconds_per_point: trial?.seconds_per_point ?? 1,
      points: trial?.points ?? [...this.recent],
      histogram: this.intervals.histogram(),
    };
  }

  close(): void {
    this.watchers.clear();
    this.trialOpen = false;
    this.follow();
    this.offStatus();
  }

  /**
   * Takes one sample now: the timer's tick, or an interim one when the camera or the trial
   * changed (which neither closes the second of the jitter figures nor enters the plots).
   */
  sample(interim = false): MetricsSample {
    const status = this.source.status();
    const telemetry = this.source.telemetry();
    const presence: CameraPresence = telemetry ? 'live' : this.source.capabilities() ? 'lost' : 'none';
    const second = interim ? this.lastSecond : this.intervals.takeSecond();
    if (!interim) this.lastSecond = second;
    const before = this.lastSeconds.length >= HEALTH_THRESHOLDS.windowSeconds ? this.lastSeconds[0] ?? null : null;
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
    if (!interim) this.keep(sample);
    return sample;
  }

  private keep(sample: MetricsSample): void {
    const point: SeriesPoint = {
      time_ms: sample.time_ms, capture_fps: sample.capture_fps, record_fps: sample.record_fps, queue_depth: sample.queue_depth, jitter_ms: sample.jitter_ms,
    };
    this.recent.push(point);
    if (this.recent.length > RECENT_POINTS) this.recent.shift();
    if (this.trialOpen) this.trial?.add(point);
    this.lastSeconds.push({ queue_depth: sample.queue_depth, frames_dropped: sample.frames_dropped, trial_number: sample.trial_number });
    if (this.lastSeconds.length > HEALTH_THRESHOLDS.windowSeconds) this.lastSeconds.shift();
  }

  /** Samples while someone needs them (a page, or an open trial whose plots a page may ask for later), and only then. */
  private follow(): void {
    const wanted = this.watchers.size > 0 || this.trialOpen;
    if (wanted && !this.untap) this.start();
    if (!wanted && this.untap) this.pause();
  }

  private start(): void {
    this.intervals.restart();
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
    for (const watcher of this.watchers) watcher.onSample(sample);
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
    if (INTERIM_ON.has(message.status) && this.watchers.size > 0) setImmediate(() => this.tick(true));
    switch (message.status) {
      case 'recording_started':
        this.trialLabel = message.data.trial_label;
        this.trial = new PlotSeries(TRIAL_POINTS);
        this.trialOpen = true;
        this.follow();
        this.intervals.startTrial();
        for (const watcher of this.watchers) watcher.onHistory(this.history());
        break;
      case 'recording_resumed':
        this.trialOpen = true;
        this.follow();
        this.intervals.resumeTrial();
        break;
      case 'recording_stopped':
        this.trialOpen = false;
        this.intervals.endTrial();
        this.follow();
        break;
      default:
        break;
    }
  }
}

/** Drop counters restart with each trial: compare only within one. */
function sameTrial(before: HealthInputs | null, trialNumber: number | null): before is HealthInputs {
  return before !== null && before.trial_number === trialNumber;
}
