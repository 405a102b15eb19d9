import { expect } from 'chai';
import { FrameGapCounter, PtsToNanoseconds } from '../../../src/camera_core/frame_timing.js';
import { RateMeter } from '../../../src/camera_core/rate_meter.js';

const MS = 1_000_000n;

describe('PtsToNanoseconds', () => {
  it('converts exactly, rounding to the nearest nanosecond', () => {
    const thirtieths = new PtsToNanoseconds({ num: 1, den: 30 });
    expect(thirtieths.convert(0n)).to.equal(0n);
    expect(thirtieths.convert(1n)).to.equal(33_333_333n);
    expect(thirtieths.convert(2n)).to.equal(66_666_667n);
    expect(thirtieths.convert(30n)).to.equal(1_000_000_000n);
    expect(thirtieths.convert(-1n)).to.equal(-33_333_333n);
    expect(thirtieths.convert(-2n)).to.equal(-66_666_667n);
  });

  it('keeps microsecond kernel timestamps exact far beyond 2^53 ns', () => {
    const micro = new PtsToNanoseconds({ num: 1, den: 1_000_000 });
    expect(micro.convert(1_712_345_678_901_234n)).to.equal(1_712_345_678_901_234_000n);
    expect(new PtsToNanoseconds({ num: 1001, den: 30000 }).convert(3n)).to.equal(100_100_000n);
  });

  it('rejects a zero timebase', () => {
    expect(() => new PtsToNanoseconds({ num: 0, den: 30 })).to.throw('Invalid timebase');
  });
});

describe('FrameGapCounter', () => {
  const at30 = (frames: number[]): number[] => {
    const counter = new FrameGapCounter(30);
    return frames.map((index) => counter.observe((BigInt(index) * 1_000_000_000n) / 30n));
  };

  it('counts nothing for a steady stream', () => {
    expect(at30([0, 1, 2, 3, 4, 5])).to.deep.equal([0, 0, 0, 0, 0, 0]);
  });

  it('counts the frames missing in a gap, once, on the frame after it', () => {
    expect(at30([0, 1, 3, 4, 9, 10])).to.deep.equal([0, 0, 1, 0, 4, 0]);
  });

  it('tolerates jitter up to 1.5 intervals and rounds larger gaps', () => {
    const counter = new FrameGapCounter(30);
    const steps = [0n, 50n * MS, 101n * MS, 150n * MS, 216n * MS, 230n * MS];
    expect(steps.map((ns) => counter.observe(ns))).to.deep.equal([0, 0, 1, 0, 1, 0]);
    expect(counter.totalMissing).to.equal(2);
  });

  it('counts nothing for repeated or backward timestamps', () => {
    const counter = new FrameGapCounter(30);
    expect([100n * MS, 100n * MS, 50n * MS].map((ns) => counter.observe(ns))).to.deep.equal([0, 0, 0]);
  });

  it('keeps the running total', () => {
    const counter = new FrameGapCounter(10);
    for (const ms of [0, 100, 400, 500, 1000]) counter.observe(BigInt(ms) * MS);
    expect(counter.totalMissing).to.equal(2 + 4);
  });
});

describe('RateMeter', () => {
  it('measures the rate over the last second', () => {
    const meter = new RateMeter();
    for (let frame = 0; frame < 90; frame += 1) meter.record(1000 + (frame * 1000) / 30);
    const last = 1000 + (89 * 1000) / 30;
    expect(meter.rate(last)).to.be.closeTo(30, 0.01);
    expect(meter.rate(last + 1001)).to.equal(0);
    expect(new RateMeter().rate(5)).to.equal(0);
  });

  it('copes with more events than its ring holds', () => {
    const meter = new RateMeter();
    for (let frame = 0; frame < 2000; frame += 1) meter.record(frame * 4);
    expect(meter.rate(1999 * 4)).to.be.closeTo(250, 1);
  });
});
