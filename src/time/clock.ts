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
 * hrtime has no epoch and Date.now() only millisecond resolution. The wall clock is hrtime
 * plus an offset measured at the instant Date.now() ticks over to a new millisecond (so it
 * is exact to a few microseconds, where performance.timeOrigin can be a millisecond off),
 * checked against Date.now() once a second so an NTP step is followed within a second.
 */
export class SystemClock implements Clock {
  private offsetNs: bigint;
  private lastCheckMonoNs: bigint;

  constructor() {
    this.offsetNs = SystemClock.measureOffsetNs();
    this.lastCheckMonoNs = process.hrtime.bigint();
  }

  sample(): ClockSample {
    const monoNs = process.hrtime.bigint();
    if (monoNs - this.lastCheckMonoNs > RESYNC_INTERVAL_NS) this.followWallClock(monoNs);
    return { monoNs, unixNs: monoNs + this.offsetNs };
  }

  private followWallClock(monoNs: bigint): void {
    this.lastCheckMonoNs = monoNs;
    const drift = BigInt(Date.now()) * 1_000_000n - (monoNs + this.offsetNs);
    // Date.now() truncates, so it reads 0..1 ms behind the true time: drift lies in (-1 ms, 0] when in step.
    if (drift > RESYNC_THRESHOLD_NS || drift < -RESYNC_THRESHOLD_NS) this.offsetNs = SystemClock.measureOffsetNs();
  }

  /** Spins for at most one millisecond, once at start and after a clock step. */
  private static measureOffsetNs(): bigint {
    const start = Date.now();
    let now = start;
    while (now === start) now = Date.now();
    return BigInt(now) * 1_000_000n - process.hrtime.bigint();
  }
}
