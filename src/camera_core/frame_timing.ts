import type { Timebase } from './framecrc_parser.js';

const NS_PER_SECOND = 1_000_000_000n;

/** Converts pts in a stream timebase to nanoseconds with integers only: pts × num × 1e9 / den, rounded to nearest. */
export class PtsToNanoseconds {
  private readonly numerator: bigint;
  private readonly denominator: bigint;
  private readonly half: bigint;

  constructor(timebase: Timebase) {
    if (!(timebase.num > 0 && timebase.den > 0)) throw new Error(`Invalid timebase ${timebase.num}/${timebase.den}`);
    this.numerator = BigInt(timebase.num) * NS_PER_SECOND;
    this.denominator = BigInt(timebase.den);
    this.half = this.denominator / 2n;
  }

  convert(pts: bigint): bigint {
    const scaled = pts * this.numerator;
    // BigInt division truncates toward zero, so round the magnitude and restore the sign.
    return scaled >= 0n ? (scaled + this.half) / this.denominator : -((-scaled + this.half) / this.denominator);
  }
}

/** Frames that fit in a gap between two frames at a nominal rate: none up to 1.5 intervals, else round(gap / interval) − 1. */
export function framesMissedBetween(previousNs: bigint, nextNs: bigint, fps: number): number {
  return missedFrames(Number(nextNs - previousNs), 1e9 / fps);
}

function missedFrames(gapNs: number, intervalNs: number): number {
  return gapNs <= 1.5 * intervalNs ? 0 : Math.round(gapNs / intervalNs) - 1;
}

/**
 * Counts frames the source skipped, from gaps between consecutive sensor timestamps: a gap
 * above 1.5 nominal intervals means round(gap / interval) − 1 frames are missing. The
 * interval is the nominal one of the capture mode.
 */
export class FrameGapCounter {
  private lastNs: bigint | null = null;
  private missing = 0;
  private readonly intervalNs: number;

  constructor(fps: number) {
    this.intervalNs = 1e9 / fps;
  }

  /** Returns the frames missing right before the frame with this timestamp. */
  observe(sensorNs: bigint): number {
    const previous = this.lastNs;
    this.lastNs = sensorNs;
    if (previous === null) return 0;
    const skipped = missedFrames(Number(sensorNs - previous), this.intervalNs);
    this.missing += skipped;
    return skipped;
  }

  get totalMissing(): number {
    return this.missing;
  }
}
