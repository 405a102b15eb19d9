import type { CaptureMode } from '../types.js';
import type { FrameInterval, FrameSize, PixelFormatInfo } from './format_types.js';

/** Sizes tried inside a stepwise or continuous size range (plus the range's largest size). */
const STANDARD_SIZES: ReadonlyArray<readonly [number, number]> = [
  [160, 120], [176, 144], [320, 240], [352, 288], [640, 360], [640, 480], [800, 600], [1024, 768],
  [1280, 720], [1280, 960], [1600, 1200], [1920, 1080], [2560, 1440], [3840, 2160],
];
/** Rates tried inside a stepwise or continuous interval range (plus the range's highest rate). */
const STANDARD_RATES: readonly number[] = [5, 10, 15, 20, 24, 25, 30, 50, 60, 90, 120];
/**
 * The rate assumed for a size listed without rates (ffmpeg's listing; stepwise sizes, whose
 * intervals v4l2-ctl does not enumerate): 30 fps is the default of UVC cameras.
 */
export const ASSUMED_FPS = 30;

/**
 * Turns a node's formats into the discrete capture modes mode selection works with: one
 * mode per (format, size, rate); ranges are sampled at standard sizes and rates. Formats
 * ffmpeg cannot capture are left out.
 */
export function modesFromFormats(formats: readonly PixelFormatInfo[]): CaptureMode[] {
  const modes = new Map<string, CaptureMode>();
  for (const format of formats) {
    const pixelFormat = format.pixelFormat;
    if (pixelFormat === null) continue;
    for (const size of format.sizes) {
      const rates = ratesOf(size.intervals);
      for (const [width, height] of sizesOf(size)) {
        for (const fps of rates) {
          const mode: CaptureMode = { width, height, fps, pixel_format: pixelFormat };
          modes.set(`${pixelFormat} ${width}x${height}@${fps}`, mode);
        }
      }
    }
  }
  return [...modes.values()];
}

function sizesOf(size: FrameSize): Array<readonly [number, number]> {
  if (size.kind === 'discrete') return [[size.width, size.height]];
  const fits = (value: number, min: number, max: number, step: number): boolean =>
    value >= min && value <= max && (value - min) % Math.max(step, 1) === 0;
  const inside = STANDARD_SIZES.filter(([w, h]) =>
    fits(w, size.minWidth, size.maxWidth, size.stepWidth) && fits(h, size.minHeight, size.maxHeight, size.stepHeight));
  const largest = [size.maxWidth, size.maxHeight] as const;
  return inside.some(([w, h]) => w === largest[0] && h === largest[1]) ? inside : [...inside, largest];
}

function ratesOf(intervals: readonly FrameInterval[]): number[] {
  if (intervals.length === 0) return [ASSUMED_FPS];
  const rates = new Set<number>();
  for (const interval of intervals) {
    if (interval.kind === 'discrete') {
      rates.add(interval.fps);
      continue;
    }
    for (const fps of STANDARD_RATES) if (fps >= interval.minFps && fps <= interval.maxFps) rates.add(fps);
    rates.add(interval.maxFps);
  }
  return [...rates].sort((a, b) => b - a);
}
