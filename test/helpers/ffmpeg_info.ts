import type { FfmpegInfo } from '../../src/ffmpeg/types.js';
import { runToolOk } from './run_tool.js';

let cached: Promise<FfmpegInfo> | null = null;

/** The ffmpeg on PATH, described the way the ffmpeg locator would (version, flags, encoders). */
export function pathFfmpegInfo(): Promise<FfmpegInfo> {
  cached ??= probePathFfmpeg();
  return cached;
}

async function probePathFfmpeg(): Promise<FfmpegInfo> {
  const version = (await runToolOk('ffmpeg', ['-hide_banner', '-version'])).stdout.toString();
  const match = /ffmpeg version n?(\d+)\.(\d+)/.exec(version);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  const encoders = (await runToolOk('ffmpeg', ['-hide_banner', '-encoders'])).stdout.toString();
  return {
    path: 'ffmpeg',
    version: /ffmpeg version (\S+)/.exec(version)?.[1] ?? 'unknown',
    major,
    minor,
    source: 'path',
    capabilities: {
      fpsModeFlag: major > 5 || (major === 5 && minor >= 1) ? '-fps_mode' : '-vsync',
      hasTeeMuxer: true,
      hasLibx264: /\slibx264\s/.test(encoders),
      hasMjpegEncoder: /\smjpeg\s/.test(encoders),
      hasV4l2: false,
    },
  };
}
