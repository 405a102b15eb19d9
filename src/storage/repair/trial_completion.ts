import { VIDEO_FILES_SEPARATOR } from '../metadata_writer.js';
import type { TimingCsvRow } from '../timing_reader.js';
import { trialDuration, type PartSpan } from '../trial_figures.js';
import type { MetadataRow } from './unfinished_trials.js';

export interface TrialCompletion {
  readonly endTimeUnix: string;
  readonly framesTotal: number;
  readonly framesDropped: number;
  readonly actualFps: string;
  /** Basenames, in recording order: the metadata's list, then any only the timing CSV names. */
  readonly videoFiles: readonly string[];
}

/**
 * What the recorder would have written at the end of the trial, from what reached the
 * disk: the timing rows are the frames the trial recorded (each has its frame in the
 * video), so they give the end time (the last row's arrival), the totals and, per video
 * file, the span the actual rate is computed over, as the recorder computes it.
 */
export function completeFromTiming(row: MetadataRow, rows: readonly TimingCsvRow[]): TrialCompletion {
  const listed = row.video_files.split(VIDEO_FILES_SEPARATOR).filter((name) => name !== '');
  const videoFiles = [...new Set([...listed, ...rows.map((r) => r.videoFile)])];
  const spans = new Map<string, { frames: number; first: bigint; last: bigint }>();
  for (const r of rows) {
    const span = spans.get(r.videoFile);
    if (span) {
      span.frames += 1;
      span.last = r.sensorTimestampNs;
    } else {
      spans.set(r.videoFile, { frames: 1, first: r.sensorTimestampNs, last: r.sensorTimestampNs });
    }
  }
  const parts: PartSpan[] = [...spans.values()].map((s) => ({ frames: s.frames, firstSensorNs: s.first, lastSensorNs: s.last }));
  const nominalFps = Number(row.target_fps) > 0 ? Number(row.target_fps) : 30;
  return {
    endTimeUnix: rows.at(-1)?.recordTimeUnix ?? row.start_time_unix,
    framesTotal: rows.length,
    framesDropped: rows.reduce((sum, r) => sum + r.droppedBefore, 0),
    actualFps: trialDuration(parts, nominalFps).actualFps.toFixed(3),
    videoFiles,
  };
}
