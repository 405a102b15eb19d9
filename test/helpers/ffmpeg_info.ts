import type { FfmpegInfo } from '../../src/ffmpeg/types.js';
import { FfmpegLocator } from '../../src/ffmpeg/locate.js';

let cached: Promise<FfmpegInfo> | null = null;

/** The ffmpeg the module itself would use, described by the locator (version, flags, encoders). */
export function pathFfmpegInfo(): Promise<FfmpegInfo> {
  cached ??= new FfmpegLocator().locate();
  return cached;
}
