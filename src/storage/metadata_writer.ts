import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Papa from 'papaparse';
import { storageWriteError } from './write_errors.js';

export const METADATA_COLUMNS = [
  'camera_id', 'backend', 'name', 'device_path', 'start_time_unix', 'end_time_unix', 'target_fps',
  'actual_fps', 'resolution_width', 'resolution_height', 'pixel_format', 'video_path', 'timing_path',
  'frames_total', 'frames_dropped', 'session_id', 'trial', 'ffmpeg_version', 'video_files', 'gaps',
] as const;

export type MetadataColumn = (typeof METADATA_COLUMNS)[number];

/** One trial's metadata row; null fields (end time, totals while recording) are left empty. */
export type TrialMetadata = Readonly<Record<MetadataColumn, string | number | null>>;

/**
 * Separates the video parts in video_files (';' never appears in a sanitized file name), and
 * the entries of gaps: "<frame_index>:<frames missed>" for each camera loss inside the trial.
 */
export const VIDEO_FILES_SEPARATOR = ';';

/**
 * Writes the metadata CSV (header + one row) atomically: a temp file next to it, then a
 * rename, so a crash at any moment leaves either the previous version or the new one.
 * Written at trial start (end time and totals empty) and again when it finishes.
 */
export async function writeMetadataCsv(filePath: string, metadata: TrialMetadata): Promise<void> {
  const row = METADATA_COLUMNS.map((column) => {
    const value = metadata[column];
    return value === null ? '' : String(value);
  });
  const text = Papa.unparse({ fields: [...METADATA_COLUMNS], data: [row] }, { newline: '\n' }) + '\n';
  const temp = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { flush: true });
    await rename(temp, filePath);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined); // the write error is the one worth reporting
    throw storageWriteError(err, filePath, 'writing the metadata file', 'STORAGE_UNAVAILABLE');
  }
}
