import { randomBytes } from 'node:crypto';
import { rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import Papa from 'papaparse';
import { ModuleError } from '../errors/codes.js';
import { writeFullyAt, type WritableFile } from './mkv/writable_file.js';
import { PLAIN_FILES, type FileSinks } from './sinks/file_sinks.js';
import { createNewFile } from './name_reserver.js';
import { storageWriteError } from '../errors/write_errors.js';

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

/** Random temp names tried before giving up (each one colliding is already astronomically unlikely). */
const TEMP_ATTEMPTS = 8;

/**
 * Replaces the metadata CSV (header + one row) atomically: a new temp file next to it, then
 * a rename, so a crash at any moment leaves either the previous version or the new one and
 * the file is never rewritten in place. The temp name is random and created exclusively, so
 * a link planted in the folder can neither be guessed into place nor followed. Encrypted
 * (`sinks`), every version is a new file with its own random salt: no segment is ever
 * written twice.
 */
export async function writeMetadataCsv(filePath: string, metadata: TrialMetadata, sinks: FileSinks = PLAIN_FILES): Promise<void> {
  const text = metadataText(metadata);
  let temp: { readonly path: string; readonly handle: FileHandle } | null = null;
  let file: WritableFile | null = null;
  try {
    temp = await createTempNextTo(filePath);
    file = await sinks.open(temp.path, temp.handle, 'metadata');
    await writeAndSync(file, text);
    const closing = file;
    file = null;
    await closing.close();
    await rename(temp.path, filePath);
  } catch (err) {
    if (temp !== null) {
      await (file ?? temp.handle).close().catch(() => undefined); // already closed is fine
      await rm(temp.path, { force: true }).catch(() => undefined); // the write error is the one worth reporting
    }
    throw storageWriteError(err, filePath, 'writing the metadata file', 'STORAGE_UNAVAILABLE');
  }
}

/** The first version of the file, into the empty file reserved for it (the crash-time placeholder); closes it. */
export async function writeMetadataInto(file: WritableFile, filePath: string, metadata: TrialMetadata): Promise<void> {
  try {
    await writeAndSync(file, metadataText(metadata));
  } catch (err) {
    throw storageWriteError(err, filePath, 'writing the metadata file', 'STORAGE_UNAVAILABLE');
  } finally {
    await file.close();
  }
}

function metadataText(metadata: TrialMetadata): string {
  const row = METADATA_COLUMNS.map((column) => {
    const value = metadata[column];
    return value === null ? '' : String(value);
  });
  return Papa.unparse({ fields: [...METADATA_COLUMNS], data: [row] }, { newline: '\n' }) + '\n';
}

async function writeAndSync(file: WritableFile, text: string): Promise<void> {
  await writeFullyAt(file, Buffer.from(text, 'utf8'), 0);
  await file.sync();
}

/** `.<name>.<16 random hex>.tmp` in the same folder (rename stays within it), created exclusively. */
async function createTempNextTo(filePath: string): Promise<{ readonly path: string; readonly handle: FileHandle }> {
  for (let attempt = 0; attempt < TEMP_ATTEMPTS; attempt += 1) {
    const temp = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${randomBytes(8).toString('hex')}.tmp`);
    const handle = await createNewFile(temp);
    if (handle !== null) return { path: temp, handle };
  }
  throw new ModuleError('STORAGE_UNAVAILABLE', `No free temp name next to ${filePath}`, { data: { path: filePath } });
}
