import { ModuleError } from '../errors/codes.js';
import type { DeviceSpec } from './types.js';

export const SYNTHETIC_DEFAULTS = { width: 1280, height: 720, fps: 30 } as const;
export const SIZE_LIMITS = { minWidth: 16, maxWidth: 7680, minHeight: 16, maxHeight: 4320 } as const;
export const MAX_FPS = 240;

const PREFIXES = { synthetic: 'synthetic:', replay: 'replay:', avfoundation: 'avfoundation:', dshow: 'dshow:' } as const;
const SYNTHETIC_MODE = /^(\d+)x(\d+)(?:@(\d+(?:\.\d+)?))?$/;

/**
 * Reads a device path: "synthetic:[WxH[@fps]]" (test pattern), "replay:<file>" (an MJPEG
 * clip played in real time, looping), "avfoundation:<name>", "dshow:<name>"; anything
 * else is a V4L2 device node such as /dev/video0.
 */
export function parseDeviceSpec(devicePath: string): DeviceSpec {
  if (devicePath.trim().length === 0) throw invalid('Device path is empty');
  if (devicePath.startsWith(PREFIXES.synthetic)) return parseSynthetic(devicePath.slice(PREFIXES.synthetic.length));
  if (devicePath.startsWith(PREFIXES.replay)) return { kind: 'replay', path: nonEmpty(devicePath, PREFIXES.replay, 'a clip path') };
  if (devicePath.startsWith(PREFIXES.avfoundation)) {
    return { kind: 'avfoundation', name: nonEmpty(devicePath, PREFIXES.avfoundation, 'a device name') };
  }
  if (devicePath.startsWith(PREFIXES.dshow)) return { kind: 'dshow', name: nonEmpty(devicePath, PREFIXES.dshow, 'a device name') };
  return { kind: 'v4l2', path: devicePath };
}

/** The device path that parses back into this spec. */
export function formatDeviceSpec(spec: DeviceSpec): string {
  switch (spec.kind) {
    case 'v4l2':
      return spec.path;
    case 'synthetic':
      return `${PREFIXES.synthetic}${spec.width}x${spec.height}@${spec.fps}`;
    case 'replay':
      return `${PREFIXES.replay}${spec.path}`;
    case 'avfoundation':
      return `${PREFIXES.avfoundation}${spec.name}`;
    case 'dshow':
      return `${PREFIXES.dshow}${spec.name}`;
  }
}

export function validateMode(width: number, height: number, fps: number): string | null {
  const { minWidth, maxWidth, minHeight, maxHeight } = SIZE_LIMITS;
  if (!Number.isInteger(width) || width < minWidth || width > maxWidth) {
    return `width ${width} is outside ${minWidth}..${maxWidth}`;
  }
  if (!Number.isInteger(height) || height < minHeight || height > maxHeight) {
    return `height ${height} is outside ${minHeight}..${maxHeight}`;
  }
  if (!Number.isFinite(fps) || fps <= 0 || fps > MAX_FPS) return `fps ${fps} is outside 0 < fps <= ${MAX_FPS}`;
  return null;
}

function parseSynthetic(rest: string): DeviceSpec {
  if (rest === '') return { kind: 'synthetic', ...SYNTHETIC_DEFAULTS };
  const match = SYNTHETIC_MODE.exec(rest);
  if (!match) throw invalid(`Synthetic device "${rest}" is not WIDTHxHEIGHT[@FPS], e.g. synthetic:1280x720@30`);
  const width = Number(match[1]);
  const height = Number(match[2]);
  const fps = match[3] === undefined ? SYNTHETIC_DEFAULTS.fps : Number(match[3]);
  const problem = validateMode(width, height, fps);
  if (problem) throw invalid(`Synthetic device "${rest}": ${problem}`);
  return { kind: 'synthetic', width, height, fps };
}

function nonEmpty(devicePath: string, prefix: string, what: string): string {
  const rest = devicePath.slice(prefix.length);
  if (rest.trim().length === 0) throw invalid(`Device path "${devicePath}" needs ${what} after "${prefix}"`);
  return rest;
}

function invalid(message: string): ModuleError {
  return new ModuleError('INVALID_PARAMS', message, { field: 'device_path' });
}
