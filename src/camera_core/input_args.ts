import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import type { FfmpegInfo } from '../ffmpeg/types.js';
import type { CaptureMode, DeviceSpec } from './types.js';

export type FfmpegFeatures = Pick<FfmpegInfo, 'path' | 'major' | 'minor' | 'capabilities'>;

/**
 * The tee muxer writes every packet to both outputs: the packet bytes to fd 1 and one
 * framecrc line (pts, size) to fd 3. onfail=abort: without it 5.1 carries on with one
 * slave when the other fails, and sizes and bytes would no longer pair up. flush_packets
 * is per slave because the tee muxer itself has no I/O context to flush.
 */
export const FRAME_TEE_OUTPUT = '[f=mjpeg:onfail=abort:flush_packets=1]pipe\\:1|[f=framecrc:onfail=abort:flush_packets=1]pipe\\:3';

const GLOBAL_ARGS = ['-nostats', '-hide_banner', '-loglevel', 'error'] as const;
const LIVE_INPUT_ARGS = ['-fflags', 'nobuffer'] as const;
const SMALL_PROBE_ARGS = ['-probesize', '32', '-analyzeduration', '0'] as const;
const COPY_ARGS = ['-c:v', 'copy'] as const;
const MJPEG_ENCODE_ARGS = ['-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p'] as const;

export interface InputPlan {
  readonly args: readonly string[];
  /** True when the source already delivers MJPEG packets, which are then copied, not re-encoded. */
  readonly deliversMjpeg: boolean;
}

export function isMjpegPixelFormat(pixelFormat: string): boolean {
  return /^(mjpeg|mjpg|jpeg)$/i.test(pixelFormat);
}

/** Everything ffmpeg needs to turn one device into MJPEG packets on fd 1 and their framecrc lines on fd 3. */
export function buildCaptureArgs(device: DeviceSpec, mode: CaptureMode, ffmpeg: FfmpegFeatures): string[] {
  const input = inputPlan(device, mode);
  requireCapabilities(ffmpeg, input.deliversMjpeg);
  return [
    ...GLOBAL_ARGS,
    ...input.args,
    '-map',
    '0:v:0',
    ...(input.deliversMjpeg ? COPY_ARGS : MJPEG_ENCODE_ARGS),
    // Passthrough: no frame is duplicated or dropped to fake a constant rate, so gaps stay visible.
    ffmpeg.capabilities.fpsModeFlag,
    'passthrough',
    // Keep the source's own timestamps (kernel buffer time on V4L2) instead of starting at 0.
    '-copyts',
    '-f',
    'tee',
    FRAME_TEE_OUTPUT,
  ];
}

export function inputPlan(device: DeviceSpec, mode: CaptureMode): InputPlan {
  const size = `${mode.width}x${mode.height}`;
  const fps = String(mode.fps);
  const mjpeg = isMjpegPixelFormat(mode.pixel_format);
  switch (device.kind) {
    case 'synthetic':
      return {
        args: ['-re', ...LIVE_INPUT_ARGS, ...SMALL_PROBE_ARGS, '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}`],
        deliversMjpeg: false,
      };
    case 'replay':
      // "file:" keeps a name like "x:y.mkv" from being read as a protocol.
      return { args: ['-re', '-stream_loop', '-1', '-i', `file:${path.resolve(device.path)}`], deliversMjpeg: mjpeg };
    case 'v4l2':
      return {
        args: [
          ...LIVE_INPUT_ARGS,
          ...SMALL_PROBE_ARGS,
          '-f',
          'v4l2',
          '-input_format',
          mjpeg ? 'mjpeg' : mode.pixel_format,
          '-video_size',
          size,
          '-framerate',
          fps,
          // pts = the kernel's buffer timestamp (CLOCK_MONOTONIC, microseconds), unconverted.
          '-ts',
          'default',
          '-i',
          device.path,
        ],
        deliversMjpeg: mjpeg,
      };
    case 'avfoundation':
      // AVFoundation hands out decoded frames only, so these are always encoded to MJPEG.
      return {
        args: [
          ...LIVE_INPUT_ARGS,
          '-f',
          'avfoundation',
          '-framerate',
          fps,
          '-video_size',
          size,
          ...(mjpeg || mode.pixel_format === '' ? [] : ['-pixel_format', mode.pixel_format]),
          '-i',
          device.name,
        ],
        deliversMjpeg: false,
      };
    case 'dshow':
      return {
        args: [
          ...LIVE_INPUT_ARGS,
          '-f',
          'dshow',
          ...(mjpeg ? ['-vcodec', 'mjpeg'] : ['-pixel_format', mode.pixel_format]),
          '-video_size',
          size,
          '-framerate',
          fps,
          '-i',
          `video=${device.name}`,
        ],
        deliversMjpeg: mjpeg,
      };
  }
}

function requireCapabilities(ffmpeg: FfmpegFeatures, deliversMjpeg: boolean): void {
  const missing: string[] = [];
  if (!ffmpeg.capabilities.hasTeeMuxer) missing.push('the tee muxer');
  if (!deliversMjpeg && !ffmpeg.capabilities.hasMjpegEncoder) missing.push('the mjpeg encoder');
  if (missing.length > 0) {
    throw new ModuleError('DEVICE_FAILED', `ffmpeg at ${ffmpeg.path} lacks ${missing.join(' and ')}, needed for capture`);
  }
}
