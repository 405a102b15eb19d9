/** One reading of both clocks, taken together once per frame on arrival. */
export interface ClockSample {
  /** Monotonic time (CLOCK_MONOTONIC via hrtime), nanoseconds. */
  readonly monoNs: bigint;
  /** Wall-clock time, nanoseconds since the Unix epoch (microsecond resolution). */
  readonly unixNs: bigint;
}

export interface Clock {
  sample(): ClockSample;
}

const RESYNC_INTERVAL_NS = 1_000_000_000n;
const RESYNC_THRESHOLD_NS = 2_000_000n;

/**
 * hrtime has no epoch and Date.now() only millisecond resolution. The wall clock is
 * hrtime plus an offset taken from performance.timeOrigin (sub-millisecond), checked
 * against Date.now() once a second so an NTP step is followed within a second.
 */
export class SystemClock implements Clock {
  private offsetNs: bigint;
  private lastCheckMonoNs: bigint;

  constructor() {
    const monoNs = process.hrtime.bigint();
    const wallNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
    this.offsetNs = wallNs - monoNs;
    this.lastCheckMonoNs = monoNs;
  }

  sample(): ClockSample {
    const monoNs = process.hrtime.bigint();
    if (monoNs - this.lastCheckMonoNs > RESYNC_INTERVAL_NS) this.followWallClock(monoNs);
    return { monoNs, unixNs: monoNs + this.offsetNs };
  }

  private followWallClock(monoNs: bigint): void {
    this.lastCheckMonoNs = monoNs;
    const drift = BigInt(Date.now()) * 1_000_000n - (monoNs + this.offsetNs);
    if (drift > RESYNC_THRESHOLD_NS || drift < -RESYNC_THRESHOLD_NS) this.offsetNs += drift;
  }
}
