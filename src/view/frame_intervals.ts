import type { CapturedFrame } from '../camera_core/types.js';

/** Histogram bins are this wide; intervals at or above the last bin are counted in it (a lost camera's gap). */
export const HISTOGRAM_BIN_MS = 1;
export const HISTOGRAM_BINS = 250;

export interface IntervalHistogram {
  readonly bin_ms: number;
  /** The lower edge of counts[0]: leading empty bins are left out. */
  readonly first_ms: number;
  readonly counts: readonly number[];
  readonly total: number;
}

export interface IntervalSecond {
  /** Mean frame interval over the last second, ms (null with fewer than two frames). */
  readonly mean_ms: number | null;
  /** Standard deviation of those intervals, ms: how unevenly frames arrive. */
  readonly jitter_ms: number | null;
}

/**
 * Frame intervals from the camera's own timestamps (the timing CSV's sensor_timestamp_ns),
 * for the jitter plot (per second) and the current trial's histogram. Only intervals between
 * frames that follow each other in one capture count: across a capture restart the two
 * timestamps come from different captures, and across a time this tap was off the interval
 * would span frames it never saw (an interval the timing CSV does not have).
 */
export class FrameIntervals {
  private previous: CapturedFrame | null = null;
  private second: number[] = [];
  private readonly bins = new Array<number>(HISTOGRAM_BINS).fill(0);
  private trialTotal = 0;
  private collectingTrial = false;

  add(frame: CapturedFrame): void {
    const previous = this.previous;
    this.previous = frame;
    if (!previous || frame.captureIndex !== previous.captureIndex + 1) return;
    const ms = Number(frame.sensorTimestampNs - previous.sensorTimestampNs) / 1e6;
    if (!(ms > 0)) return;
    this.second.push(ms);
    if (this.collectingTrial) {
      this.bins[Math.min(HISTOGRAM_BINS - 1, Math.floor(ms / HISTOGRAM_BIN_MS))] += 1;
      this.trialTotal += 1;
    }
  }

  /** The tap starts again after a time off: the next frame is no interval's end, and no partial second carries over. */
  restart(): void {
    this.previous = null;
    this.second = [];
  }

  /** A trial started: its histogram starts empty. */
  startTrial(): void {
    this.bins.fill(0);
    this.trialTotal = 0;
    this.collectingTrial = true;
  }

  /** The paused (or interrupted) trial goes on: its histogram keeps what it has. */
  resumeTrial(): void {
    this.collectingTrial = true;
  }

  /** The trial ended: its histogram stays on show until the next one starts. */
  endTrial(): void {
    this.collectingTrial = false;
  }

  /** Called once a second: the figures of the intervals seen since the last call. */
  takeSecond(): IntervalSecond {
    const values = this.second;
    this.second = [];
    if (values.length === 0) return { mean_ms: null, jitter_ms: null };
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    return { mean_ms: round3(mean), jitter_ms: round3(Math.sqrt(variance)) };
  }

  histogram(): IntervalHistogram | null {
    if (this.trialTotal === 0) return null;
    const first = this.bins.findIndex((c) => c > 0);
    let last = this.bins.length - 1;
    while (last > first && this.bins[last] === 0) last -= 1;
    return { bin_ms: HISTOGRAM_BIN_MS, first_ms: first * HISTOGRAM_BIN_MS, counts: this.bins.slice(first, last + 1), total: this.trialTotal };
  }
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
