import { ModuleError } from '../errors/codes.js';
import type { FfmpegInfo } from '../ffmpeg/types.js';
import type { ProcessRegistry } from '../process/owned_process.js';
import { MatroskaWriter } from './mkv/matroska_writer.js';
import type { OpenWritableFile } from './mkv/writable_file.js';
import { withExtension } from './session_paths.js';
import { TranscodeWriter } from './transcode/transcode_writer.js';
import type { CaptureMode } from '../camera_core/types.js';
import type { VideoWriter, VideoWriterFactory, VideoWriterOptions } from './types.js';

export interface VideoFormatChoice {
  /** MJPEG frames stored as captured, by node, no ffmpeg child. */
  readonly passthrough: boolean;
  readonly extension: '.mkv' | '.mp4';
  /** Why frames are re-encoded, for logs and the device_ready status. */
  readonly reason: string;
}

const FPS_TOLERANCE = 1e-6;

function sameMode(a: CaptureMode, b: CaptureMode): boolean {
  return a.width === b.width && a.height === b.height && Math.abs(a.fps - b.fps) < FPS_TOLERANCE;
}

/** Passthrough when MJPEG is recorded in the captured mode and no re-encode is forced. */
export function chooseVideoFormat(options: Omit<VideoWriterOptions, 'path'>): VideoFormatChoice {
  const extension = options.codec === 'h264' ? '.mp4' : '.mkv';
  if (options.codec === 'h264') return { passthrough: false, extension, reason: 'codec h264' };
  if (options.forceReencode) return { passthrough: false, extension, reason: 'force_reencode' };
  if (!sameMode(options.captureMode, options.recordMode)) {
    return { passthrough: false, extension, reason: 'record mode differs from capture mode' };
  }
  return { passthrough: true, extension, reason: 'mjpeg recorded as captured' };
}

/**
 * Opens the writer a trial needs: MatroskaWriter for passthrough, else TranscodeWriter.
 * The container decides the extension, so the writer's path may differ from the one
 * asked for; writer.path is the real one.
 */
export class DefaultVideoWriterFactory implements VideoWriterFactory {
  constructor(
    private readonly ffmpeg: FfmpegInfo,
    private readonly processes: ProcessRegistry,
    private readonly openFile?: OpenWritableFile,
  ) {}

  describe(options: Omit<VideoWriterOptions, 'path'>): VideoFormatChoice {
    return chooseVideoFormat(options);
  }

  async open(options: VideoWriterOptions): Promise<VideoWriter> {
    const choice = chooseVideoFormat(options);
    const path = withExtension(options.path, choice.extension);
    if (choice.passthrough) {
      const { width, height, fps } = options.captureMode;
      return MatroskaWriter.open({
        path, width, height, fps, queueMaxFrames: options.queueMaxFrames,
        ...(this.openFile ? { openFile: this.openFile } : {}),
      });
    }
    this.requireEncoder(options.codec);
    return TranscodeWriter.open({ ...options, path }, this.ffmpeg, this.processes);
  }

  private requireEncoder(codec: 'mjpeg' | 'h264'): void {
    const { capabilities, version, path } = this.ffmpeg;
    const available = codec === 'h264' ? capabilities.hasLibx264 : capabilities.hasMjpegEncoder;
    if (available) return;
    const encoder = codec === 'h264' ? 'libx264' : 'mjpeg';
    throw new ModuleError('ENCODER_FAILED', `ffmpeg ${version} at ${path} has no ${encoder} encoder`, {
      data: { codec, ffmpeg: path }, recoverable: false,
    });
  }
}
