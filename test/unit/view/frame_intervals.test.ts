import { expect } from 'chai';
import { FrameIntervals, HISTOGRAM_BINS } from '../../../src/view/frame_intervals.js';
import type { CapturedFrame } from '../../../src/camera_core/types.js';

const frame = (captureIndex: number, sensorMs: number): CapturedFrame => ({
  captureIndex, data: Buffer.alloc(1), sensorTimestampNs: BigInt(Math.round(sensorMs * 1e6)),
  arrival: { monoNs: 0n, unixNs: 0n }, droppedBefore: 0,
});

describe('FrameIntervals', () => {
  it('gives the mean and standard deviation of the last second\'s intervals, then starts over', () => {
    const intervals = new FrameIntervals();
    [0, 30, 70, 100].forEach((ms, i) => intervals.add(frame(i, ms)));
    const second = intervals.takeSecond();
    expect(second.mean_ms).to.be.closeTo(100 / 3, 0.001);
    expect(second.jitter_ms).to.be.closeTo(Math.sqrt(((30 - 100 / 3) ** 2 * 2 + (40 - 100 / 3) ** 2) / 3), 0.001);
    expect(intervals.takeSecond()).to.deep.equal({ mean_ms: null, jitter_ms: null });
  });

  it('leaves out the interval across a capture restart', () => {
    const intervals = new FrameIntervals();
    intervals.add(frame(5, 1000));
    intervals.add(frame(0, 50));
    intervals.add(frame(1, 83));
    expect(intervals.takeSecond().mean_ms).to.equal(33);
  });

  it('histograms only the current trial, keeps it after the trial, and clears it for the next', () => {
    const intervals = new FrameIntervals();
    intervals.add(frame(0, 0));
    intervals.add(frame(1, 33.4));
    expect(intervals.histogram()).to.equal(null);
    intervals.startTrial();
    intervals.add(frame(2, 66.8));
    intervals.add(frame(3, 100.2));
    intervals.add(frame(4, 166.9));
    intervals.endTrial();
    intervals.add(frame(5, 200.3));
    expect(intervals.histogram()).to.deep.equal({ bin_ms: 1, first_ms: 33, counts: [2, ...new Array(32).fill(0), 1], total: 3 });
    intervals.resumeTrial();
    intervals.add(frame(6, 10_000));
    expect(intervals.histogram()?.counts.at(-1)).to.equal(1);
    expect(intervals.histogram()?.first_ms).to.equal(33);
    expect(intervals.histogram()?.counts.length).to.equal(HISTOGRAM_BINS - 33);
    intervals.startTrial();
    expect(intervals.histogram()).to.equal(null);
  });

  it('makes no interval across frames it did not see: a restarted tap, or frames skipped in between', () => {
    const intervals = new FrameIntervals();
    intervals.add(frame(0, 0));
    intervals.add(frame(1, 33));
    intervals.restart();
    intervals.add(frame(40, 1333));
    intervals.add(frame(41, 1366));
    intervals.add(frame(43, 1433));
    expect(intervals.takeSecond()).to.deep.equal({ mean_ms: 33, jitter_ms: 0 });
  });

  it('keeps a gap in the camera\'s own timestamps between consecutive frames (the CSV has it too)', () => {
    const intervals = new FrameIntervals();
    intervals.add(frame(0, 0));
    intervals.add(frame(1, 100));
    expect(intervals.takeSecond().mean_ms).to.equal(100);
  });
});

