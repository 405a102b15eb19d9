import path from 'node:path';
import { readTimingCsv, type TimingCsvRow } from '../storage/timing_reader.js';
import { probeVideo, type ProbedStream, type ProbedVideo } from './ffprobe_packets.js';

export interface FileCheck {
  readonly path: string;
  readonly stream: ProbedStream;
  readonly packets: number;
  readonly rows: number;
}

export interface RecordingCheck {
  readonly files: readonly FileCheck[];
  readonly rows: number;
  readonly packets: number;
  /** Empty when video and timing CSV agree frame for frame. */
  readonly problems: readonly string[];
}

/**
 * Checks a trial's files against each other the way an analysis would rely on them: per
 * video part, packets = timing rows and every row's video_pts = its packet's pts; over
 * the trial, frame_index runs 1..N without a gap.
 */
export async function checkRecording(ffprobePath: string, videoFiles: readonly string[], timingPath: string): Promise<RecordingCheck> {
  const rows = await readTimingCsv(timingPath);
  const videos: ProbedPart[] = [];
  for (const file of videoFiles) videos.push({ path: file, videoFile: path.basename(file), probed: await probeVideo(ffprobePath, file) });
  return compareWithTiming(videos, rows);
}

/** A video part as probed, and the name its timing rows give in video_file. */
export interface ProbedPart {
  readonly path: string;
  readonly videoFile: string;
  readonly probed: ProbedVideo;
}

/** checkRecording's comparison, for parts probed and rows read some other way (decrypted in memory). */
export function compareWithTiming(videos: readonly ProbedPart[], rows: readonly TimingCsvRow[]): RecordingCheck {
  const problems: string[] = [];
  const files: FileCheck[] = [];
  for (const { path: file, videoFile, probed } of videos) {
    const own = rows.filter((r) => r.videoFile === videoFile);
    files.push({ path: file, stream: probed.stream, packets: probed.pts.length, rows: own.length });
    if (own.length !== probed.pts.length) problems.push(`${videoFile}: ${probed.pts.length} packets but ${own.length} timing rows`);
    own.forEach((row, i) => {
      if (i < probed.pts.length && row.videoPts !== probed.pts[i]) {
        problems.push(`${videoFile}: frame_index ${row.frameIndex} has video_pts ${row.videoPts} but packet ${i} has pts ${probed.pts[i]}`);
      }
    });
  }
  problems.push(...frameIndexGaps(rows));
  return { files, rows: rows.length, packets: files.reduce((n, f) => n + f.packets, 0), problems: problems.slice(0, 20) };
}

function frameIndexGaps(rows: readonly TimingCsvRow[]): string[] {
  const bad = rows.findIndex((row, i) => row.frameIndex !== i + 1);
  return bad === -1 ? [] : [`frame_index not continuous at row ${bad + 1} (found ${rows[bad]?.frameIndex})`];
}
