import { ModuleError } from '../errors/codes.js';

/** A window's place and size on the desktop, in screen pixels (X11's WxH+X+Y). */
export interface WindowGeometry {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Smallest window the compact view is usable in; a host asking for less gets this. */
export const MIN_WINDOW = { width: 200, height: 150 } as const;
const MAX_SIDE = 16_384;

/** Parses RPi_Logger's `--window-geometry WxH+X+Y` (offsets may be negative: `640x480-10+0`). */
export function parseGeometry(text: string): WindowGeometry {
  const match = /^(\d{1,5})x(\d{1,5})([+-]\d{1,5})([+-]\d{1,5})$/.exec(text.trim());
  if (!match) {
    throw new ModuleError('INVALID_PARAMS', `window geometry '${text}' is not WIDTHxHEIGHT+X+Y (for example 640x480+100+50)`, { field: 'window-geometry' });
  }
  const [, w, h, x, y] = match;
  const width = Math.min(MAX_SIDE, Math.max(MIN_WINDOW.width, Number(w)));
  const height = Math.min(MAX_SIDE, Math.max(MIN_WINDOW.height, Number(h)));
  return { x: Number(x), y: Number(y), width, height };
}

export function sameGeometry(a: WindowGeometry | null, b: WindowGeometry | null): boolean {
  return a !== null && b !== null && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
