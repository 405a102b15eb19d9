/** One point of the fps, queue and jitter plots: one second, or several merged into one. */
export interface SeriesPoint {
  readonly time_ms: number;
  readonly capture_fps: number | null;
  readonly record_fps: number | null;
  readonly queue_depth: number;
  readonly jitter_ms: number | null;
}

/**
 * A trial's plot points from its first second to its last, in bounded memory: one point a
 * second until maxPoints, then each pair merges into one and every later point stands for
 * twice as many seconds as before (maxPoints is even, so pairs never straddle a step change). A merged point keeps the mean rates and the worst queue
 * and jitter, so a spike stays visible however long the trial.
 */
export class PlotSeries {
  private points: SeriesPoint[] = [];
  private secondsPerPoint = 1;
  private pending: SeriesPoint[] = [];

  constructor(private readonly maxPoints: number) {
    if (maxPoints < 2 || maxPoints % 2 !== 0) throw new RangeError('a plot series needs room for an even number of points, at least two');
  }

  add(point: SeriesPoint): void {
    this.pending.push(point);
    if (this.pending.length < this.secondsPerPoint) return;
    this.points.push(merge(this.pending));
    this.pending = [];
    if (this.points.length < this.maxPoints) return;
    const halved: SeriesPoint[] = [];
    for (let i = 0; i < this.points.length; i += 2) halved.push(merge(this.points.slice(i, i + 2)));
    this.points = halved;
    this.secondsPerPoint *= 2;
  }

  /** Every point so far, oldest first; the seconds not yet merged into a point count as one. */
  snapshot(): { readonly seconds_per_point: number; readonly points: readonly SeriesPoint[] } {
    const points = this.pending.length > 0 ? [...this.points, merge(this.pending)] : [...this.points];
    return { seconds_per_point: this.secondsPerPoint, points };
  }
}

function merge(points: readonly SeriesPoint[]): SeriesPoint {
  const first = points[0];
  if (!first) throw new RangeError('nothing to merge');
  if (points.length === 1) return first;
  return {
    time_ms: first.time_ms,
    capture_fps: mean(points.map((p) => p.capture_fps)),
    record_fps: mean(points.map((p) => p.record_fps)),
    queue_depth: Math.max(...points.map((p) => p.queue_depth)),
    jitter_ms: worst(points.map((p) => p.jitter_ms)),
  };
}

function known(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

function mean(values: readonly (number | null)[]): number | null {
  const numbers = known(values);
  return numbers.length === 0 ? null : Math.round((numbers.reduce((a, b) => a + b, 0) / numbers.length) * 1000) / 1000;
}

function worst(values: readonly (number | null)[]): number | null {
  const numbers = known(values);
  return numbers.length === 0 ? null : Math.max(...numbers);
}
