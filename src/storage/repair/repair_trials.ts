import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { METADATA_COLUMNS, VIDEO_FILES_SEPARATOR, writeMetadataCsv, type TrialMetadata } from '../metadata_writer.js';
import { readTimingCsv } from '../timing_reader.js';
import { probeVideo } from '../../verify/ffprobe_packets.js';
import { addMatroskaIndex, type IndexTools } from './add_matroska_index.js';
import { hasMatroskaCues } from './matroska_index.js';
import { dropUnfinishedLastRow } from './timing_tail.js';
import { completeFromTiming } from './trial_completion.js';
import { findMetadataFiles, isUnfinished, METADATA_SUFFIX, readMetadataRow, type MetadataRow } from './unfinished_trials.js';

export interface RepairDeps extends IndexTools {
  /** A trial whose files changed more recently than this may still be recording: left alone. Default 5 s. */
  readonly minIdleMs?: number;
  readonly now?: () => number;
}

export interface RepairedVideo {
  readonly path: string;
  /** Frames ffprobe counts in the file (after an index was added). */
  readonly frames: number | null;
  /** present: it had Cues; added: repair added them; missing: it has none and could not get any; n/a: not Matroska. */
  readonly index: 'present' | 'added' | 'missing' | 'n/a';
  readonly note: string | null;
}

export interface TrialRepair {
  readonly metadataPath: string;
  readonly outcome: 'repaired' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  readonly reason: string | null;
  readonly endTimeUnix: string | null;
  readonly framesTotal: number | null;
  readonly framesDropped: number | null;
  readonly actualFps: string | null;
  readonly videos: readonly RepairedVideo[];
  readonly notes: readonly string[];
}

export interface RepairReport {
  readonly dir: string;
  /** Metadata files looked at. */
  readonly trialsFound: number;
  /** Only the trials that had not finished. */
  readonly trials: readonly TrialRepair[];
}

const DEFAULT_MIN_IDLE_MS = 5_000;

/**
 * Finds the trials under `dir` that did not finish (a kill -9 or power cut left their
 * metadata without end time and totals) and completes them: the timing CSV's unfinished
 * last row is cut, the metadata gets end time, totals, actual rate and every video file,
 * and a Matroska file without an index gets one (remuxed with -c copy, swapped atomically).
 * Finished trials are not touched. Meant for the CLI (`cameras-usb2 repair`) and for the
 * module's start-up, before anything records.
 */
export async function repairTrials(dir: string, deps: RepairDeps): Promise<RepairReport> {
  const metadataFiles = await findMetadataFiles(dir);
  const trials: TrialRepair[] = [];
  for (const file of metadataFiles) {
    let row: MetadataRow;
    try {
      row = await readMetadataRow(file);
    } catch {
      continue; // not one of ours
    }
    if (!isUnfinished(row)) continue;
    trials.push(await repairTrial(file, row, deps).catch((err: unknown) => failed(file, err instanceof Error ? err.message : String(err))));
  }
  return { dir, trialsFound: metadataFiles.length, trials };
}

function failed(metadataPath: string, reason: string, outcome: 'failed' | 'skipped' = 'failed'): TrialRepair {
  return { metadataPath, outcome, reason, endTimeUnix: null, framesTotal: null, framesDropped: null, actualFps: null, videos: [], notes: [] };
}

/** The trial's files sit next to its metadata; the absolute paths in it may be from before a move. */
function sibling(metadataPath: string, recorded: string, suffix: string): string {
  if (recorded !== '' && existsSync(recorded)) return recorded;
  return metadataPath.slice(0, -METADATA_SUFFIX.length) + suffix;
}

async function repairTrial(metadataPath: string, row: MetadataRow, deps: RepairDeps): Promise<TrialRepair> {
  const folder = path.dirname(metadataPath);
  const timingPath = sibling(metadataPath, row.timing_path, '_timing.csv');
  if (!existsSync(timingPath)) return failed(metadataPath, `no timing CSV (${timingPath})`);
  const idle = await idleFor(metadataPath, timingPath, deps);
  if (idle !== null) return failed(metadataPath, idle, 'skipped');
  const notes: string[] = [];
  const cut = await dropUnfinishedLastRow(timingPath);
  if (cut > 0) notes.push(`cut an unfinished last row (${cut} bytes) off the timing CSV`);
  const rows = await readTimingCsv(timingPath);
  const completion = completeFromTiming(row, rows);
  const videos: RepairedVideo[] = [];
  for (const name of completion.videoFiles) {
    const video = path.join(folder, name);
    if (!existsSync(video)) {
      notes.push(`video file ${name} is missing`);
      continue;
    }
    videos.push(await repairVideo(video, rows.filter((r) => r.videoFile === name).length, deps));
  }
  const metadata: TrialMetadata = {
    ...(Object.fromEntries(METADATA_COLUMNS.map((column) => [column, row[column]])) as TrialMetadata),
    end_time_unix: completion.endTimeUnix,
    frames_total: completion.framesTotal,
    frames_dropped: completion.framesDropped,
    actual_fps: completion.actualFps,
    video_files: completion.videoFiles.join(VIDEO_FILES_SEPARATOR),
  };
  await writeMetadataCsv(metadataPath, metadata);
  for (const v of videos) {
    const rowsOfFile = rows.filter((r) => path.join(folder, r.videoFile) === v.path).length;
    if (v.frames !== null && v.frames > rowsOfFile) {
      notes.push(`${path.basename(v.path)}: its last ${v.frames - rowsOfFile} frame(s) have no timing row (they reached the disk after the last timing flush)`);
    }
  }
  return {
    metadataPath, outcome: 'repaired', reason: null, endTimeUnix: completion.endTimeUnix, framesTotal: completion.framesTotal,
    framesDropped: completion.framesDropped, actualFps: completion.actualFps, videos, notes,
  };
}

/** Null when the trial's files have been quiet long enough, else why it is left alone. */
async function idleFor(metadataPath: string, timingPath: string, deps: RepairDeps): Promise<string | null> {
  const minIdleMs = deps.minIdleMs ?? DEFAULT_MIN_IDLE_MS;
  const now = (deps.now ?? Date.now)();
  const newest = Math.max(...await Promise.all([metadataPath, timingPath].map(async (f) => (await stat(f)).mtimeMs)));
  const quietMs = now - newest;
  return quietMs < minIdleMs ? `its files changed ${Math.round(quietMs)} ms ago: it may still be recording` : null;
}

async function repairVideo(video: string, framesWithRows: number, deps: RepairDeps): Promise<RepairedVideo> {
  if (path.extname(video).toLowerCase() !== '.mkv') {
    return { path: video, frames: await countFrames(video, deps), index: 'n/a', note: null };
  }
  if (await hasMatroskaCues(video)) return { path: video, frames: await countFrames(video, deps), index: 'present', note: null };
  const { added, note } = await addMatroskaIndex(video, framesWithRows, deps);
  return { path: video, frames: await countFrames(video, deps), index: added ? 'added' : 'missing', note };
}

async function countFrames(video: string, deps: RepairDeps): Promise<number | null> {
  try {
    return (await probeVideo(deps.ffprobePath, video)).pts.length;
  } catch {
    return null;
  }
}
