import type { CaptureMode } from '../../camera_core/types.js';
import type { FfmpegInfo } from '../../ffmpeg/types.js';

export interface TranscodeSettings {
  readonly outputPath: string;
  readonly recordMode: CaptureMode;
  readonly codec: 'mjpeg' | 'h264';
  readonly jpegQuality: number;
  readonly h264Crf: number;
  /**
   * outputPath is an empty file this process reserved (created exclusively) for ffmpeg to
   * fill: ffmpeg must write over it. Otherwise ffmpeg refuses any existing file.
   */
  readonly fillReserved?: boolean;
  /**
   * Write Matroska to stdout (outputPath 'pipe:1') for node to append to an encrypted file:
   * H.264 too goes into Matroska, which ffmpeg streams without seeking back.
   */
  readonly toStdout?: boolean;
}

/** The fd ffmpeg writes `-progress` to (stdio[3] of the child). */
export const PROGRESS_FD = 3;

/** jpeg_quality 1..100 onto the mjpeg encoder's -q:v 31 (worst) .. 2 (best). */
export function jpegQualityToQscale(quality: number): number {
  const clamped = Math.min(100, Math.max(1, Math.round(quality)));
  return Math.round(31 - ((clamped - 1) * 29) / 99);
}

/** -stats_period (how often -progress reports) exists from ffmpeg 4.4; before, it is fixed at 0.5 s. */
export function hasStatsPeriod(ffmpeg: FfmpegInfo): boolean {
  return ffmpeg.major > 4 || (ffmpeg.major === 4 && ffmpeg.minor >= 4);
}

/**
 * ffmpeg argv that reads our Matroska stream on stdin and writes the recorded file. The
 * timestamps cross the pipe in the container, and -copyts plus passthrough frame timing
 * keep every pts as node assigned it.
 */
export function transcodeArgs(ffmpeg: FfmpegInfo, settings: TranscodeSettings): string[] {
  const { width, height, fps } = settings.recordMode;
  const keyframeInterval = String(Math.max(1, Math.round(fps)));
  const input = [
    '-hide_banner', '-nostats', '-loglevel', 'error',
    // Width and height come from the container; a small probe lets encoding start at once.
    '-probesize', '65536', '-analyzeduration', '0',
    '-f', 'matroska', '-i', 'pipe:0',
  ];
  const timing = ['-map', '0:v:0', '-copyts', ffmpeg.capabilities.fpsModeFlag, 'passthrough', '-vf', `scale=${width}:${height}`];
  const h264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(settings.h264Crf), '-bf', '0', '-pix_fmt', 'yuv420p', '-g', keyframeInterval];
  // Clusters close every second (at the keyframes): what a crash can lose, as in the MP4 fragments.
  const streamed = settings.codec === 'h264'
    ? [...h264, '-f', 'matroska', '-cluster_time_limit', '1000']
    : ['-c:v', 'mjpeg', '-q:v', String(jpegQualityToQscale(settings.jpegQuality)), '-f', 'matroska', '-cluster_time_limit', '1000'];
  const codec = settings.toStdout === true ? streamed : settings.codec === 'h264'
    ? [
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(settings.h264Crf), '-bf', '0', '-pix_fmt', 'yuv420p',
      // One keyframe a second: fragments (and so what survives a crash) close every second.
      '-g', keyframeInterval,
      '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-video_track_timescale', '1000',
    ]
    : [
      '-c:v', 'mjpeg', '-q:v', String(jpegQualityToQscale(settings.jpegQuality)),
      '-f', 'matroska', '-cluster_time_limit', '1000',
    ];
  const progress = ['-progress', `pipe:${PROGRESS_FD}`, ...(hasStatsPeriod(ffmpeg) ? ['-stats_period', '0.5'] : [])];
  // Every finished fragment or cluster goes to the OS at once, so an encoder that is killed
  // leaves a playable file (without it the MP4 header itself can sit in ffmpeg's buffer).
  const flush = ['-flush_packets', '1'];
  // -n: ffmpeg refuses to overwrite; a recording is never replaced. -y only for our own empty reservation.
  if (settings.toStdout === true) return [...input, ...timing, ...codec, ...flush, ...progress, 'pipe:1'];
  return [...input, ...timing, ...codec, ...flush, ...progress, settings.fillReserved ? '-y' : '-n', settings.outputPath];
}
