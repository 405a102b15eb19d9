import { VIDEO_FILES_SEPARATOR, type TrialMetadata } from './metadata_writer.js';
import { formatNsAsSeconds } from './timing_format.js';
import type { RecordingFormat } from '../camera_core/recording_format.js';
import type { TrialContext, TrialPaths, TrialSummary } from './types.js';

export interface TrialMetadataInput {
  readonly context: TrialContext;
  readonly paths: TrialPaths;
  /** decideRecordingFormat's answer: what the file holds. */
  readonly format: Pick<RecordingFormat, 'filePixelFormat'>;
  readonly startedUnixNs: bigint;
  /** Null while the trial runs: the metadata written at its start has no end yet. */
  readonly endedUnixNs: bigint | null;
  readonly summary: TrialSummary | null;
  readonly videoFiles: readonly string[];
  readonly gaps: ReadonlyArray<{ readonly frameIndex: number; readonly framesMissed: number }>;
}

/** The one row of a trial's metadata CSV. */
export function trialMetadata(input: TrialMetadataInput): TrialMetadata {
  const { context, paths, summary } = input;
  const { recordMode } = context;
  return {
    camera_id: context.cameraId, backend: context.backend, name: context.name, device_path: context.devicePath,
    start_time_unix: formatNsAsSeconds(input.startedUnixNs, 6),
    end_time_unix: input.endedUnixNs === null ? null : formatNsAsSeconds(input.endedUnixNs, 6),
    target_fps: recordMode.fps,
    actual_fps: summary === null ? null : summary.actualFps.toFixed(3),
    resolution_width: recordMode.width, resolution_height: recordMode.height, pixel_format: input.format.filePixelFormat,
    video_path: paths.videoPath, timing_path: paths.timingPath,
    frames_total: summary?.framesRecorded ?? null, frames_dropped: summary?.framesDropped ?? null,
    session_id: context.sessionId, trial: context.trialNumber, ffmpeg_version: context.ffmpegVersion,
    video_files: input.videoFiles.join(VIDEO_FILES_SEPARATOR),
    gaps: input.gaps.map((gap) => `${gap.frameIndex}:${gap.framesMissed}`).join(VIDEO_FILES_SEPARATOR),
  };
}
