/** Which step of the resolution order found the binary. */
export type FfmpegSource = 'config' | 'env' | 'ffmpeg-static' | 'path' | '@ffmpeg-installer/ffmpeg';

export interface FfmpegCapabilities {
  /** '-fps_mode' from 5.1 on, '-vsync' before. */
  readonly fpsModeFlag: '-fps_mode' | '-vsync';
  readonly hasTeeMuxer: boolean;
  readonly hasLibx264: boolean;
  readonly hasMjpegEncoder: boolean;
  readonly hasV4l2: boolean;
}

export interface FfmpegInfo {
  readonly path: string;
  /** As printed by `ffmpeg -version` ("5.1.9-0+deb12u1", "N-47683-g0e8eb07980-static"). */
  readonly version: string;
  /** Parsed from the version, or from libavformat's version for git builds. */
  readonly major: number;
  readonly minor: number;
  readonly source: FfmpegSource;
  readonly capabilities: FfmpegCapabilities;
}
