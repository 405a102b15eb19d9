import type { ResolvedConfig } from '../config/config.js';
import type { CameraCapabilities, CaptureMode } from './types.js';

export interface ModeSelection {
  readonly captureMode: CaptureMode;
  readonly recordMode: CaptureMode;
  readonly previewMode: CaptureMode;
  /** Frames are stored exactly as the camera sent them. */
  readonly passthrough: boolean;
  readonly reason: string;
}

const FALLBACK = { width: 1280, height: 720, fps: 30 };
const area = (m: { width: number; height: number }): number => m.width * m.height;
const sameSize = (a: CaptureMode, b: { width: number; height: number }): boolean => a.width === b.width && a.height === b.height;
const byLargest = (a: CaptureMode, b: CaptureMode): number => area(b) - area(a) || b.fps - a.fps;

/**
 * Chooses the capture mode (what the camera is opened with), the record mode (what is
 * stored) and the preview mode. MJPEG modes are preferred because they are stored without
 * re-encoding; the record mode differs from the capture mode only when the configured size
 * is not offered by the camera.
 */
export function selectModes(caps: CameraCapabilities, config: Pick<ResolvedConfig, 'record' | 'preview'>): ModeSelection {
  const { record, preview } = config;
  let captureMode: CaptureMode;
  let reason: string;
  if (caps.modes.length === 0) {
    captureMode = {
      width: record.width ?? FALLBACK.width, height: record.height ?? FALLBACK.height,
      fps: record.fps ?? FALLBACK.fps, pixel_format: 'mjpeg',
    };
    reason = 'camera modes unknown (not probed); opened with the configured mode';
  } else {
    const mjpeg = caps.modes.filter((m) => m.pixel_format.toLowerCase() === 'mjpeg');
    const pool = mjpeg.length > 0 ? mjpeg : [...caps.modes];
    const format = mjpeg.length > 0 ? 'MJPEG' : `${pool[0]?.pixel_format ?? 'raw'} (no MJPEG mode)`;
    if (record.width !== undefined && record.height !== undefined) {
      const wanted = { width: record.width, height: record.height };
      const exact = pool.filter((m) => sameSize(m, wanted));
      const sized = exact.length > 0 ? exact : nearestSize(pool, wanted);
      captureMode = pickRate(sized, record.fps);
      reason = exact.length > 0
        ? `configured ${wanted.width}x${wanted.height} offered as ${format}`
        : `configured ${wanted.width}x${wanted.height} not offered; nearest ${format} mode ${captureMode.width}x${captureMode.height} captured and scaled`;
    } else {
      const largest = [...pool].sort(byLargest)[0] as CaptureMode;
      captureMode = pickRate(pool.filter((m) => sameSize(m, largest)), record.fps);
      reason = `largest ${format} mode of the camera`;
    }
    if (record.fps !== undefined && captureMode.fps !== record.fps) reason += `; ${record.fps} fps not offered, using ${captureMode.fps}`;
  }
  const recordMode: CaptureMode = {
    width: record.width ?? captureMode.width, height: record.height ?? captureMode.height,
    fps: captureMode.fps, pixel_format: record.codec,
  };
  const passthrough = record.codec === 'mjpeg' && !record.force_reencode &&
    captureMode.pixel_format.toLowerCase() === 'mjpeg' && sameSize(captureMode, recordMode);
  return { captureMode, recordMode, previewMode: previewFrom(caps, captureMode, preview), passthrough, reason };
}

function nearestSize(pool: readonly CaptureMode[], wanted: { width: number; height: number }): CaptureMode[] {
  const distance = (m: CaptureMode): number => Math.abs(area(m) - area(wanted));
  const best = Math.min(...pool.map(distance));
  const winner = pool.find((m) => distance(m) === best) as CaptureMode;
  return pool.filter((m) => sameSize(m, winner));
}

function pickRate(sameSizeModes: readonly CaptureMode[], fps: number | undefined): CaptureMode {
  const sorted = [...sameSizeModes].sort((a, b) => b.fps - a.fps);
  if (fps === undefined) return sorted[0] as CaptureMode;
  return sorted.find((m) => m.fps === fps) ?? sorted.reduce((best, m) => (Math.abs(m.fps - fps) < Math.abs(best.fps - fps) ? m : best));
}

/** The largest mode within the preview bounds at its highest rate (seed 003: ≤ 640x480, highest rate). */
function previewFrom(caps: CameraCapabilities, captureMode: CaptureMode, preview: ResolvedConfig['preview']): CaptureMode {
  const fits = caps.modes.filter((m) => m.width <= preview.width && m.height <= preview.height);
  if (fits.length === 0) {
    return { width: Math.min(preview.width, captureMode.width), height: Math.min(preview.height, captureMode.height), fps: Math.min(preview.fps, captureMode.fps), pixel_format: captureMode.pixel_format };
  }
  return [...fits].sort(byLargest)[0] as CaptureMode;
}
