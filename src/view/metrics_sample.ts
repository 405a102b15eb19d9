import type { StatusReportStatus } from '../generated/schema-types.js';
import type { HealthLevel } from './health.js';
import type { IntervalHistogram } from './frame_intervals.js';
import type { SeriesPoint } from './plot_series.js';

/** The volume the trials go to, as get_storage_info last reported it. */
export interface DiskFigures {
  readonly available_bytes: number;
  readonly used_percent: number;
  readonly level: 'ok' | 'warn' | 'critical';
  readonly estimated_seconds_left: number | null;
}

/** Whether a camera is assigned and delivering: lost means assigned but being reopened. */
export type CameraPresence = 'none' | 'live' | 'lost';

/** One tick of the metrics bar and the plots (sent once a second over SSE). */
export interface MetricsSample {
  readonly time_ms: number;
  /** Sent at once after the camera or the trial changed, between the once-a-second samples; not part of the plots' history. */
  readonly interim: boolean;
  readonly state: StatusReportStatus['state'];
  readonly camera: CameraPresence;
  readonly camera_id: string | null;
  readonly session_id: string | null;
  readonly trial_number: number | null;
  readonly trial_label: string | null;
  readonly elapsed_seconds: number | null;
  readonly capture_fps: number | null;
  readonly record_fps: number | null;
  readonly queue_depth: number;
  readonly frames_captured: number | null;
  readonly frames_recorded: number | null;
  readonly frames_dropped: number;
  readonly current_file: string | null;
  readonly disk: DiskFigures | null;
  readonly interval_mean_ms: number | null;
  readonly jitter_ms: number | null;
  readonly histogram: IntervalHistogram | null;
  readonly health: {
    readonly camera: HealthLevel;
    readonly record_fps: HealthLevel;
    readonly queue: HealthLevel;
    readonly drops: HealthLevel;
    readonly disk: HealthLevel;
  };
}

/** What the plots draw when a page opens (and again when a trial starts). */
export interface MetricsHistory {
  /** The open trial whose series this is from its first second; null outside a trial (then: the last minutes). */
  readonly trial_number: number | null;
  /** 1 until a long trial's points were merged in pairs (see PlotSeries). */
  readonly seconds_per_point: number;
  readonly points: readonly SeriesPoint[];
  /** The current (or last) trial's frame intervals, as counts. */
  readonly histogram: IntervalHistogram | null;
}
