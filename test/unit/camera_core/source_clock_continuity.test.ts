import { expect } from 'chai';
import { SourceClockContinuity } from '../../../src/camera_core/source_clock_continuity.js';

const SYNTHETIC = { kind: 'synthetic', width: 640, height: 480, fps: 30 } as const;
const FRAME = 33_333_333n;

describe('sensor timestamps of synthetic and replay cameras across capture restarts', () => {
  it('continues a restarted capture from the last timestamp plus the real time in between', () => {
    const continuity = new SourceClockContinuity();
    const first = continuity.forCapture(SYNTHETIC)!;
    // pts 0.. of the first child, arriving from mono time 10 s on.
    const firstStamps = [0n, 1n, 2n].map((k) => first.adjust(k * FRAME, 10_000_000_000n + k * FRAME));
    expect(firstStamps).to.deep.equal([0n, FRAME, 2n * FRAME]);
    // The reconnect took 0.5 s after the last frame; the new child's pts start at 0 again.
    const lastArrival = 10_000_000_000n + 2n * FRAME;
    const second = continuity.forCapture(SYNTHETIC)!;
    const resumed = [0n, 1n].map((k) => second.adjust(k * FRAME, lastArrival + 500_000_000n + k * FRAME));
    expect(resumed).to.deep.equal([2n * FRAME + 500_000_000n, 3n * FRAME + 500_000_000n]);
  });

  it('never repeats a timestamp when two arrivals share a clock reading', () => {
    const continuity = new SourceClockContinuity();
    const a = continuity.forCapture({ kind: 'replay', path: '/clips/a.mkv' })!;
    a.adjust(5n, 100n);
    const b = continuity.forCapture({ kind: 'replay', path: '/clips/a.mkv' })!;
    expect(b.adjust(0n, 100n)).to.equal(6n);
  });

  it('keeps devices apart, and leaves real cameras alone', () => {
    const continuity = new SourceClockContinuity();
    continuity.forCapture(SYNTHETIC)!.adjust(9_000_000_000n, 1n);
    expect(continuity.forCapture({ kind: 'replay', path: '/x.mkv' })!.adjust(0n, 2n)).to.equal(0n);
    expect(continuity.forCapture({ kind: 'v4l2', path: '/dev/video0' })).to.equal(null);
    expect(continuity.forCapture({ kind: 'dshow', name: 'cam' })).to.equal(null);
  });
});
