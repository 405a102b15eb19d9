import { isMjpegPixelFormat } from './input_args.js';
import { sameSizeAndRate } from './mode_text.js';
import type { CaptureMode } from './types.js';

export interface RecordingFormatRequest {
  /** The mode the camera is opened in (its pixel_format is the camera's own format). */
  readonly captureMode: CaptureMode;
  /** The mode to store. */
  readonly recordMode: CaptureMode;
  readonly codec: 'mjpeg' | 'h264';
  readonly forceReencode: boolean;
  /**
   * The file can only be appended to (encrypted): H.264 goes into Matroska, which ffmpeg
   * streams without seeking back, instead of MP4.
   */
  readonly appendOnly?: boolean;
}

export interface RecordingFormat {
  /**
   * The MJPEG frames the capture delivers go into the file unchanged, written by node
   * (MatroskaWriter); false: an ffmpeg child re-encodes them (TranscodeWriter).
   */
  readonly passthrough: boolean;
  /** What the video file holds, as the metadata's pixel_format names it. */
  readonly filePixelFormat: 'mjpeg' | 'yuv420p';
  readonly extension: '.mkv' | '.mp4';
  /** Why, for logs and statuses. */
  readonly reason: string;
}

/**
 * The one decision on how a recording is stored, used by mode selection (statuses), the
 * video writer factory (which writer) and the trial metadata (what the file holds).
 * Capture always hands out MJPEG: a camera's own MJPEG is copied, any other format (YUYV)
 * is encoded to MJPEG by the capture itself. So a recording in the captured size and rate
 * stores those frames as they come whatever the camera's format, and the file holds MJPEG.
 */
export function decideRecordingFormat(request: RecordingFormatRequest): RecordingFormat {
  if (request.codec === 'h264') {
    if (request.appendOnly === true) return { passthrough: false, filePixelFormat: 'yuv420p', extension: '.mkv', reason: 'codec h264 (Matroska: encrypted files are append-only)' };
    return { passthrough: false, filePixelFormat: 'yuv420p', extension: '.mp4', reason: 'codec h264' };
  }
  const reencoded = (reason: string): RecordingFormat => ({ passthrough: false, filePixelFormat: 'mjpeg', extension: '.mkv', reason });
  if (request.forceReencode) return reencoded('force_reencode');
  if (!sameSizeAndRate(request.captureMode, request.recordMode)) return reencoded('record mode differs from capture mode');
  const encodedByCapture = isMjpegPixelFormat(request.captureMode.pixel_format)
    ? ''
    : ` (the capture encodes the camera's ${request.captureMode.pixel_format} to MJPEG)`;
  return { passthrough: true, filePixelFormat: 'mjpeg', extension: '.mkv', reason: `mjpeg recorded as captured${encodedByCapture}` };
}

