import type { CapturedFrame } from '../../camera_core/types.js';
import { nsToEpochMs } from './segment_files.js';

/** How /health describes the mapping from a frame's pts to the wall clock. */
export interface TimebaseReport {
  readonly pts_units: 'ns';
  /** Decimal string: ns can exceed 2^53. */
  readonly base_pts_ns: string;
  readonly base_epoch_ms: number;
  readonly method: 'min_arrival_offset';
  /** Frames the base pair was chosen among. */
  readonly frames_considered: number;
  readonly description: string;
}

/** A timeline that differs from the current one by more than this is another capture clock. */
export const TIMELINE_TOLERANCE_NS = 2_000_000_000n;

const DESCRIPTION = 'pts_ns is the frame\'s sensor timestamp (V4L2: the kernel buffer time, CLOCK_MONOTONIC). '
  + 'The base pair is the sensor timestamp and the arrival wall-clock sample (taken once per frame when it was '
  + 'complete in node) of the frame, among those seen since the capture clock started, whose arrival came soonest '
  + 'after its sensor time: epoch_ms = base_epoch_ms + (pts_ns - base_pts_ns) / 1e6 is then late by at most that '
  + 'frame\'s own delivery latency.';

/**
 * The base pair of the pts → epoch mapping. Each frame's (arrival − sensor) is its delivery
 * latency plus a constant clock offset; the smallest one seen has the least latency in it.
 * A jump by more than TIMELINE_TOLERANCE_NS (new capture with a clock starting elsewhere)
 * starts over.
 */
export class TimebaseEstimator {
  private basePtsNs: bigint | null = null;
  private baseUnixNs: bigint | null = null;
  private frames = 0;

  observe(frame: Pick<CapturedFrame, 'sensorTimestampNs' | 'arrival'>): void {
    const offset = frame.arrival.unixNs - frame.sensorTimestampNs;
    const current = this.offsetNs;
    if (current !== null && (offset < current - TIMELINE_TOLERANCE_NS || offset > current + TIMELINE_TOLERANCE_NS)) {
      this.frames = 0;
      this.basePtsNs = null;
    }
    this.frames += 1;
    if (current === null || this.basePtsNs === null || offset < current) {
      this.basePtsNs = frame.sensorTimestampNs;
      this.baseUnixNs = frame.arrival.unixNs;
    }
  }

  /** arrival − sensor of the base frame; null before the first frame. */
  get offsetNs(): bigint | null {
    return this.basePtsNs === null || this.baseUnixNs === null ? null : this.baseUnixNs - this.basePtsNs;
  }

  ptsToEpochMs(ptsNs: bigint): number | null {
    const offset = this.offsetNs;
    return offset === null ? null : nsToEpochMs(ptsNs + offset);
  }

  epochMsToPtsNs(epochMs: number): bigint | null {
    const offset = this.offsetNs;
    return offset === null ? null : epochMsToNs(epochMs) - offset;
  }

  report(): TimebaseReport | null {
    if (this.basePtsNs === null || this.baseUnixNs === null) return null;
    return {
      pts_units: 'ns',
      base_pts_ns: this.basePtsNs.toString(),
      base_epoch_ms: nsToEpochMs(this.baseUnixNs),
      method: 'min_arrival_offset',
      frames_considered: this.frames,
      description: DESCRIPTION,
    };
  }
}

/** Epoch ms (a double, possibly fractional) → ns, to the microsecond. */
export function epochMsToNs(epochMs: number): bigint {
  return BigInt(Math.round(epochMs * 1000)) * 1000n;
}
