import { expect } from 'chai';
import { PtsClock, roundNsToMs } from '../../../src/storage/mkv/pts_clock.js';

describe('PtsClock', () => {
  it('starts at 0 and rounds the distance from the first frame to milliseconds', () => {
    const clock = new PtsClock();
    const base = 1_234_567_890_123n;
    expect(clock.next(base)).to.equal(0);
    expect(clock.next(base + 33_333_333n)).to.equal(33);
    expect(clock.next(base + 66_666_666n)).to.equal(67);
    expect(clock.next(base + 100_499_999n)).to.equal(100);
    expect(clock.next(base + 200_500_000n)).to.equal(201);
  });

  it('keeps pts strictly increasing when timestamps collide or go back', () => {
    const clock = new PtsClock();
    expect(clock.next(10_000_000n)).to.equal(0);
    expect(clock.next(10_000_100n)).to.equal(1);
    expect(clock.next(9_000_000n)).to.equal(2);
    expect(clock.next(15_000_000n)).to.equal(5);
    expect(clock.last).to.equal(5);
  });

  it('rounds half away from zero exactly for large values', () => {
    expect(roundNsToMs(1_500_000n)).to.equal(2);
    expect(roundNsToMs(1_499_999n)).to.equal(1);
    expect(roundNsToMs(-1_500_000n)).to.equal(-2);
    expect(roundNsToMs(9_007_199_254_740_992_000_000n + 400_000n)).to.equal(2 ** 53);
  });
});
