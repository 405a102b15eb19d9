import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Papa from 'papaparse';
import { METADATA_COLUMNS, type MetadataColumn } from '../metadata_writer.js';

export const METADATA_SUFFIX = '_metadata.csv';

export type MetadataRow = Readonly<Record<MetadataColumn, string>>;

/** Every trial metadata CSV under `dir`, at any depth (sessions and per-camera folders nest). */
export async function findMetadataFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...await findMetadataFiles(full));
    else if (entry.isFile() && entry.name.endsWith(METADATA_SUFFIX) && !entry.name.startsWith('.')) found.push(full);
  }
  return found.sort();
}

/** The one row of a metadata CSV, every column present (empty when the file lacks it). */
export async function readMetadataRow(file: string): Promise<MetadataRow> {
  const parsed = Papa.parse<Record<string, string>>(await readFile(file, 'utf8'), { header: true, skipEmptyLines: true, dynamicTyping: false });
  const row = parsed.data[0];
  if (parsed.errors.length > 0 || row === undefined) throw new Error(`${file} is not a trial metadata CSV (${parsed.errors[0]?.message ?? 'no row'})`);
  return Object.fromEntries(METADATA_COLUMNS.map((column) => [column, row[column] ?? ''])) as MetadataRow;
}

/** A trial finishes by writing its end time and totals; a crash leaves them empty. */
export function isUnfinished(row: MetadataRow): boolean {
  return row.end_time_unix === '' || row.frames_total === '' || row.frames_dropped === '' || row.actual_fps === '';
}
