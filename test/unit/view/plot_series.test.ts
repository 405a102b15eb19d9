import { expect } from 'chai';
import { PlotSeries, type SeriesPoint } from '../../../src/view/plot_series.js';

const point = (second: number, over: Partial<SeriesPoint> = {}): SeriesPoint => ({
  time_ms: second * 1000, capture_fps: 30, record_fps: 30, queue_depth: 0, jitter_ms: 0.5, ...over,
});

describe('PlotSeries', () => {
  it('keeps one point a second while there is room', () => {
    const series = new PlotSeries(10);
    for (let s = 0; s < 9; s += 1) series.add(point(s));
    const { seconds_per_point: step, points } = series.snapshot();
    expect(step).to.equal(1);
    expect(points.map((p) => p.time_ms)).to.deep.equal([...Array(9).keys()].map((s) => s * 1000));
  });

  it('merges pairs when full, so any trial length fits, and keeps a spike visible', () => {
    const series = new PlotSeries(8);
    for (let s = 0; s < 100; s += 1) series.add(point(s, s === 37 ? { jitter_ms: 250, queue_depth: 9, record_fps: 10 } : {}));
    const { seconds_per_point: step, points } = series.snapshot();
    expect(points.length).to.be.at.most(8);
    expect(step).to.equal(16);
    expect(points[0]?.time_ms, 'still from the first second').to.equal(0);
    expect(Math.max(...points.map((p) => p.jitter_ms ?? 0))).to.equal(250);
    expect(Math.max(...points.map((p) => p.queue_depth))).to.equal(9);
    expect(Math.min(...points.map((p) => p.record_fps ?? 30))).to.be.below(30);
  });

  it('shows the seconds not yet merged as one more point', () => {
    const series = new PlotSeries(4);
    for (let s = 0; s < 5; s += 1) series.add(point(s, { capture_fps: s }));
    const { points } = series.snapshot();
    expect(points.map((p) => p.time_ms)).to.deep.equal([0, 2000, 4000]);
    expect(points.map((p) => p.capture_fps)).to.deep.equal([0.5, 2.5, 4]);
  });

  it('refuses an odd capacity, whose pairs would straddle a step change', () => {
    expect(() => new PlotSeries(7)).to.throw(RangeError);
  });

  it('averages rates over the seconds that had one', () => {
    const series = new PlotSeries(2);
    [point(0, { record_fps: null }), point(1, { record_fps: 30 }), point(2), point(3)].forEach((p) => series.add(p));
    expect(series.snapshot().points[0]?.record_fps).to.equal(30);
  });
});
