/** What one video part of a trial held, for duration and rate. */
export interface PartSpan {
  readonly frames: number;
  readonly firstSensorNs: bigint | null;
  readonly lastSensorNs: bigint | null;
}

/**
 * Duration is the span from the first to the last frame's sensor time plus one mean
 * frame interval (the last frame lasts too), summed over parts so pauses do not count;
 * actual fps is frames over that duration, which equals (frames - 1) / span per part.
 * A part of one frame lasts one nominal interval.
 */
export function trialDuration(parts: readonly PartSpan[], nominalFps: number): { durationSeconds: number; actualFps: number } {
  let seconds = 0;
  let frames = 0;
  for (const part of parts) {
    if (part.frames <= 0 || part.firstSensorNs === null || part.lastSensorNs === null) continue;
    frames += part.frames;
    const spanSeconds = Number(part.lastSensorNs - part.firstSensorNs) / 1e9;
    if (part.frames === 1 || spanSeconds <= 0) seconds += part.frames / nominalFps;
    else seconds += spanSeconds + spanSeconds / (part.frames - 1);
  }
  return { durationSeconds: seconds, actualFps: seconds > 0 ? frames / seconds : 0 };
}
