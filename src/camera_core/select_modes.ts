import type { ResolvedConfig } from '../config/config.js';
import { decideRecordingFormat } from './recording_format.js';
import { isMjpegPixelFormat } from './input_args.js';
import type { CameraCapabilities, CaptureMode } from './types.js';

export interface ModeSelection {
  readonly captureMode: CaptureMode;
  readonly recordMode: CaptureMode;
  readonly previewMode: CaptureMode;
  /** Frames go into the file as the capture delivers them, no re-encode (decideRecordingFormat). */
  readonly passthrough: boolean;
  readonly reason: string;
}

type Size = { readonly width: number; readonly height: number };

const FALLBACK = { width: 1280, height: 720, fps: 30 };
const area = (m: Size): number => m.width * m.height;
const sameSize = (a: Size, b: Size): boolean => a.width === b.width && a.height === b.height;
/** MJPEG is stored as it comes; raw formats are cheap to encode; H.264 and the rest must be decoded first. */
const formatRank = (m: CaptureMode): number => (isMjpegPixelFormat(m.pixel_format) ? 0 : /^(h264|hevc|mpeg4)$/i.test(m.pixel_format) ? 2 : 1);
const byLargest = (a: CaptureMode, b: CaptureMode): number => area(b) - area(a) || b.fps - a.fps || formatRank(a) - formatRank(b);
const describeFormat = (m: CaptureMode): string => (isMjpegPixelFormat(m.pixel_format) ? 'MJPEG' : m.pixel_format);

/**
 * Chooses the capture mode (what the camera is opened with), the record mode (what is
 * stored) and the preview mode.
 * - record: the configured size and rate when the camera offers them (MJPEG first, else
 *   another format at exactly that size and rate), else the nearest MJPEG mode (nearest
 *   size by area, then nearest rate); without a configured size, the largest MJPEG mode.
 *   Cameras without MJPEG use their other formats the same way.
 * - preview: within preview.width × preview.height (640x480 by default), the highest rate,
 *   then the largest size at that rate, in the capture's format when it has such modes.
 * The record mode differs from the capture mode only when the configured size is not offered.
 */
export function selectModes(caps: CameraCapabilities, config: Pick<ResolvedConfig, 'record' | 'preview'>): ModeSelection {
  const { record } = config;
  const { captureMode, reason } = caps.modes.length === 0 ? unprobed(record) : chooseCapture(caps.modes, record);
  const recordMode: CaptureMode = {
    width: record.width ?? captureMode.width, height: record.height ?? captureMode.height,
    fps: captureMode.fps, pixel_format: record.codec,
  };
  const { passthrough } = decideRecordingFormat({ captureMode, recordMode, codec: record.codec, forceReencode: record.force_reencode });
  return { captureMode, recordMode, previewMode: choosePreview(caps.modes, captureMode, config.preview), passthrough, reason };
}

function unprobed(record: ResolvedConfig['record']): { captureMode: CaptureMode; reason: string } {
  return {
    captureMode: {
      width: record.width ?? FALLBACK.width, height: record.height ?? FALLBACK.height,
      fps: record.fps ?? FALLBACK.fps, pixel_format: 'mjpeg',
    },
    reason: 'camera modes unknown (not probed); opened with the configured mode',
  };
}

function chooseCapture(modes: readonly CaptureMode[], record: ResolvedConfig['record']): { captureMode: CaptureMode; reason: string } {
  const mjpeg = modes.filter((m) => isMjpegPixelFormat(m.pixel_format));
  const pool = mjpeg.length > 0 ? mjpeg : [...modes];
  const noMjpeg = mjpeg.length > 0 ? '' : ' (the camera has no MJPEG mode)';
  const fps = record.fps;
  if (record.width === undefined || record.height === undefined) {
    const largest = [...pool].sort(byLargest)[0] as CaptureMode;
    const captureMode = pickRate(pool.filter((m) => sameSize(m, largest)), fps);
    return { captureMode, reason: `largest ${describeFormat(captureMode)} mode of the camera${noMjpeg}${rateNote(fps, captureMode)}` };
  }
  const wanted = { width: record.width, height: record.height };
  const label = `${wanted.width}x${wanted.height}${fps === undefined ? '' : `@${fps}`}`;
  const exactIn = (list: readonly CaptureMode[]): CaptureMode[] =>
    list.filter((m) => sameSize(m, wanted) && (fps === undefined || m.fps === fps));
  const exact = exactIn(mjpeg).length > 0 ? exactIn(mjpeg) : exactIn(modes);
  if (exact.length > 0) {
    const captureMode = [...exact].sort(byLargest)[0] as CaptureMode;
    return { captureMode, reason: `configured ${label} offered as ${describeFormat(captureMode)}${noMjpeg}` };
  }
  const sameSizeModes = pool.filter((m) => sameSize(m, wanted));
  const sized = sameSizeModes.length > 0 ? sameSizeModes : nearestSize(pool, wanted);
  const captureMode = pickRate(sized, fps);
  const what = sameSizeModes.length > 0
    ? `configured ${wanted.width}x${wanted.height} offered as ${describeFormat(captureMode)}${noMjpeg}`
    : `configured ${wanted.width}x${wanted.height} not offered; nearest ${describeFormat(captureMode)} mode ${captureMode.width}x${captureMode.height} captured and scaled${noMjpeg}`;
  return { captureMode, reason: `${what}${rateNote(fps, captureMode)}` };
}

function rateNote(fps: number | undefined, chosen: CaptureMode): string {
  return fps !== undefined && chosen.fps !== fps ? `; ${fps} fps not offered, using ${chosen.fps}` : '';
}

function nearestSize(pool: readonly CaptureMode[], wanted: Size): CaptureMode[] {
  const distance = (m: CaptureMode): number => Math.abs(area(m) - area(wanted));
  const best = Math.min(...pool.map(distance));
  const winner = [...pool].sort(byLargest).find((m) => distance(m) === best) as CaptureMode;
  return pool.filter((m) => sameSize(m, winner) && m.pixel_format === winner.pixel_format);
}

/** The configured rate if offered, else the nearest (the higher one on a tie); the highest when none is configured. */
function pickRate(sameSizeModes: readonly CaptureMode[], fps: number | undefined): CaptureMode {
  const sorted = [...sameSizeModes].sort((a, b) => b.fps - a.fps || formatRank(a) - formatRank(b));
  if (fps === undefined) return sorted[0] as CaptureMode;
  return sorted.reduce((best, m) => (Math.abs(m.fps - fps) < Math.abs(best.fps - fps) ? m : best));
}

function choosePreview(modes: readonly CaptureMode[], captureMode: CaptureMode, preview: ResolvedConfig['preview']): CaptureMode {
  const fits = modes.filter((m) => m.width <= preview.width && m.height <= preview.height);
  const sameFormat = fits.filter((m) => m.pixel_format === captureMode.pixel_format);
  const pool = sameFormat.length > 0 ? sameFormat : fits;
  if (pool.length === 0) {
    return {
      width: Math.min(preview.width, captureMode.width), height: Math.min(preview.height, captureMode.height),
      fps: Math.min(preview.fps, captureMode.fps), pixel_format: captureMode.pixel_format,
    };
  }
  return [...pool].sort((a, b) => b.fps - a.fps || area(b) - area(a))[0] as CaptureMode;
}
