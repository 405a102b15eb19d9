import { ModuleError } from '../errors/codes.js';
import type { FfmpegInfo } from '../ffmpeg/types.js';
import type { ProcessRegistry } from '../process/owned_process.js';
import { MatroskaWriter } from './mkv/matroska_writer.js';
import type { OpenWritableFile } from './mkv/writable_file.js';
import { decideRecordingFormat, type RecordingFormat } from '../camera_core/recording_format.js';
import { withExtension } from './session_paths.js';
import { ENCRYPTED_SUFFIX, plaintextName } from './sinks/file_sinks.js';
import { isAppendOnly } from './sinks/append_only_file.js';
import { TranscodeWriter } from './transcode/transcode_writer.js';
import type { VideoWriter, VideoWriterFactory, VideoWriterOptions } from './types.js';

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

  describe(options: Omit<VideoWriterOptions, 'path' | 'file'>): RecordingFormat {
    return decideRecordingFormat(options);
  }

  async open(options: VideoWriterOptions): Promise<VideoWriter> {
    const choice = decideRecordingFormat(options);
    // A reserved encrypted file is `<name><ext>.enc`: the container decides <ext>.
    const suffix = options.file !== undefined && isAppendOnly(options.file) ? ENCRYPTED_SUFFIX : '';
    const plain = suffix !== '' ? plaintextName(options.path, suffix) : options.path;
    const path = withExtension(plain, choice.extension) + suffix;
    if (options.file !== undefined && path !== options.path) {
      throw new ModuleError('INTERNAL', `Reserved ${options.path} but the recording needs ${choice.extension}`);
    }
    if (choice.passthrough) {
      const { width, height, fps } = options.captureMode;
      const reserved = options.file;
      const openFile = reserved !== undefined ? () => Promise.resolve(reserved) : this.openFile;
      return MatroskaWriter.open({
        path, width, height, fps, queueMaxFrames: options.queueMaxFrames,
        ...(openFile ? { openFile } : {}),
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
