const WINDOW_MS = 1000;
/** Enough slots for one window at the highest allowed frame rate (240 fps). */
const CAPACITY = 256;

/** Events per second over the last second, from a fixed ring of event times (no allocation per event). */
export class RateMeter {
  private readonly timesMs = new Float64Array(CAPACITY);
  private count = 0;
  private next = 0;

  record(nowMs: number): void {
    this.timesMs[this.next] = nowMs;
    this.next = (this.next + 1) % CAPACITY;
    if (this.count < CAPACITY) this.count += 1;
  }

  rate(nowMs: number): number {
    if (this.count === 0) return 0;
    const newest = this.at(0);
    if (nowMs - newest > WINDOW_MS) return 0;
    let oldest = newest;
    let inWindow = 1;
    for (let back = 1; back < this.count; back += 1) {
      const time = this.at(back);
      if (nowMs - time > WINDOW_MS) break;
      oldest = time;
      inWindow += 1;
    }
    if (inWindow < 2 || newest === oldest) return inWindow;
    return ((inWindow - 1) * 1000) / (newest - oldest);
  }

  private at(back: number): number {
    return this.timesMs[(this.next - 1 - back + CAPACITY * 2) % CAPACITY] ?? 0;
  }
}

/** A monotonic clock reading in ns as the meter's milliseconds. */
export function monoMs(monoNs: bigint): number {
  return Number(monoNs) / 1e6;
}
