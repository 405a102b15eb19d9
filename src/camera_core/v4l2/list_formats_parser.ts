import type { FrameInterval, FrameSize, PixelFormatInfo } from './format_types.js';
import { ffmpegPixelFormat } from './pixel_formats.js';

/** Flags v4l2-ctl appends to a format's description, e.g. "Motion-JPEG, compressed". */
const FORMAT_FLAGS = new Set(['compressed', 'emulated', 'continuous-bytestream', 'dyn-resolution', 'enc-cap-frame-interval', 'csc-colorspace', 'csc-ycbcr-enc', 'csc-quantization', 'csc-xfer-func']);

// v4l-utils ≥ 1.18: "[0]: 'MJPG' (Motion-JPEG, compressed)"
const NEW_FORMAT = /^\[(\d+)\]:\s*'(.{1,4})'\s*\((.*)\)\s*$/;
// v4l-utils ≤ 1.16: "Pixel Format: 'MJPG' (compressed)" then "Name        : Motion-JPEG"
const OLD_FORMAT = /^Pixel Format\s*:\s*'(.{1,4})'\s*(?:\((.*)\))?\s*$/;
const OLD_NAME = /^Name\s*:\s*(.*)$/;
const SIZE_DISCRETE = /^Size:\s*Discrete\s+(\d+)x(\d+)/;
const SIZE_RANGE = /^Size:\s*(?:Stepwise|Continuous)\s+(\d+)x(\d+)\s*-\s*(\d+)x(\d+)(?:\s+with step\s+(\d+)\/(\d+))?/;
const INTERVAL_DISCRETE = /^Interval:\s*Discrete\s+[\d.]+s\s*\(([\d.]+) fps\)/;
const INTERVAL_RANGE = /^Interval:\s*(?:Stepwise|Continuous)\s+.*\(([\d.]+)-([\d.]+) fps\)/;

interface FormatDraft {
  fourcc: string;
  description: string;
  flags: string[];
  sizes: Array<FrameSize & { intervals: FrameInterval[] }>;
}

/**
 * Reads `v4l2-ctl --list-formats-ext` in the layouts of v4l-utils 1.14 to 1.26: the
 * "[n]: 'FOURCC' (description, flags)" form and the older "Pixel Format:/Name:" form;
 * discrete, stepwise and continuous sizes and intervals.
 */
export function parseListFormatsExt(text: string): PixelFormatInfo[] {
  const drafts: FormatDraft[] = [];
  let current: FormatDraft | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const newFormat = NEW_FORMAT.exec(line);
    const oldFormat = newFormat ? null : OLD_FORMAT.exec(line);
    if (newFormat || oldFormat) {
      const fourcc = (newFormat?.[2] ?? oldFormat?.[1] ?? '').trim();
      const { description, flags } = splitFlags(newFormat ? newFormat[3] ?? '' : '', oldFormat?.[2] ?? '');
      current = { fourcc, description, flags, sizes: [] };
      drafts.push(current);
      continue;
    }
    if (!current) continue;
    const name = OLD_NAME.exec(line);
    if (name) {
      current.description = (name[1] ?? '').trim();
      continue;
    }
    const size = parseSize(line);
    if (size) {
      current.sizes.push(size);
      continue;
    }
    const interval = parseInterval(line);
    const lastSize = current.sizes.at(-1);
    if (interval && lastSize) lastSize.intervals.push(interval);
  }
  return drafts.map((d) => ({
    fourcc: d.fourcc,
    pixelFormat: ffmpegPixelFormat(d.fourcc),
    description: d.description,
    compressed: d.flags.includes('compressed'),
    emulated: d.flags.includes('emulated'),
    sizes: d.sizes,
  }));
}

/** "Motion-JPEG, compressed" → description "Motion-JPEG", flags ["compressed"]. */
function splitFlags(described: string, flagsOnly: string): { description: string; flags: string[] } {
  const flags = flagsOnly.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const parts = described.split(', ');
  while (parts.length > 1 && FORMAT_FLAGS.has((parts.at(-1) ?? '').trim())) flags.unshift((parts.pop() ?? '').trim());
  return { description: parts.join(', ').trim(), flags };
}

function parseSize(line: string): (FrameSize & { intervals: FrameInterval[] }) | null {
  const discrete = SIZE_DISCRETE.exec(line);
  if (discrete) return { kind: 'discrete', width: Number(discrete[1]), height: Number(discrete[2]), intervals: [] };
  const range = SIZE_RANGE.exec(line);
  if (!range) return null;
  return {
    kind: 'stepwise',
    minWidth: Number(range[1]), minHeight: Number(range[2]), maxWidth: Number(range[3]), maxHeight: Number(range[4]),
    // Continuous sizes have no step; any size in the range works.
    stepWidth: Number(range[5] ?? 1), stepHeight: Number(range[6] ?? 1),
    intervals: [],
  };
}

function parseInterval(line: string): FrameInterval | null {
  const discrete = INTERVAL_DISCRETE.exec(line);
  if (discrete) return { kind: 'discrete', fps: roundFps(Number(discrete[1])) };
  const range = INTERVAL_RANGE.exec(line);
  if (!range) return null;
  const a = roundFps(Number(range[1]));
  const b = roundFps(Number(range[2]));
  return { kind: 'stepwise', minFps: Math.min(a, b), maxFps: Math.max(a, b) };
}

export function roundFps(fps: number): number {
  return Math.round(fps * 1000) / 1000;
}
