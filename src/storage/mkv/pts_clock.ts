const NS_PER_MS = 1_000_000n;

/**
 * Turns sensor timestamps into the millisecond pts a file stores: 0 for the first frame,
 * then the rounded distance from it, never equal to or below the previous pts (a
 * container cannot hold two frames at one time, and pts must be strictly increasing).
 */
export class PtsClock {
  private firstNs: bigint | null = null;
  private lastPts = -1;

  next(sensorTimestampNs: bigint): number {
    if (this.firstNs === null) this.firstNs = sensorTimestampNs;
    const pts = Math.max(roundNsToMs(sensorTimestampNs - this.firstNs), this.lastPts + 1);
    this.lastPts = pts;
    return pts;
  }

  /** pts of the last frame accepted, -1 before the first. */
  get last(): number {
    return this.lastPts;
  }
}

/** Rounds half away from zero in integer arithmetic; exact for any bigint. */
export function roundNsToMs(ns: bigint): number {
  const half = NS_PER_MS / 2n;
  const rounded = ns >= 0n ? (ns + half) / NS_PER_MS : -((-ns + half) / NS_PER_MS);
  return Number(rounded);
}
