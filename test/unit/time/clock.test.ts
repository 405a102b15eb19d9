import { expect } from 'chai';
import { SystemClock } from '../../../src/time/clock.js';

describe('SystemClock', () => {
  it('samples monotonic and wall-clock time together, the wall clock within a millisecond of Date.now()', () => {
    const clock = new SystemClock();
    for (let i = 0; i < 50; i += 1) {
      const before = BigInt(Date.now()) * 1_000_000n;
      const sample = clock.sample();
      const after = BigInt(Date.now() + 1) * 1_000_000n;
      expect(sample.unixNs >= before - 1_000_000n && sample.unixNs <= after, `${sample.unixNs} not in [${before}, ${after}]`).to.equal(true);
    }
  });

  it('never goes backwards in monotonic time', () => {
    const clock = new SystemClock();
    let last = clock.sample().monoNs;
    for (let i = 0; i < 1000; i += 1) {
      const next = clock.sample().monoNs;
      expect(next >= last).to.equal(true);
      last = next;
    }
  });
});
