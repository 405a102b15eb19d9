import type { CaptureMode } from './types.js';

export const sameMode = (a: CaptureMode, b: CaptureMode): boolean =>
  a.width === b.width && a.height === b.height && a.fps === b.fps && a.pixel_format === b.pixel_format;

export const describeMode = (m: CaptureMode): string => `${m.pixel_format} ${m.width}x${m.height}@${m.fps}`;
