import type { CaptureMode } from './types.js';

/** Rates from different probes of one mode may differ in the last bits (30 vs 30.000000001). */
const FPS_TOLERANCE = 1e-6;

/** How modes compare, everywhere: same frame size and rate... */
export const sameSizeAndRate = (a: CaptureMode, b: CaptureMode): boolean =>
  a.width === b.width && a.height === b.height && Math.abs(a.fps - b.fps) < FPS_TOLERANCE;

/** ...and, for a camera mode, the same pixel format too. */
export const sameMode = (a: CaptureMode, b: CaptureMode): boolean => sameSizeAndRate(a, b) && a.pixel_format === b.pixel_format;

export const describeMode = (m: CaptureMode): string => `${m.pixel_format} ${m.width}x${m.height}@${m.fps}`;
