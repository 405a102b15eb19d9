import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { TIMING_COLUMNS } from './timing_format.js';

/** One timing CSV row, typed; the two record times stay strings so no digit is lost. */
export interface TimingCsvRow {
  readonly trial: number;
  readonly module: string;
  readonly deviceId: string;
  readonly label: string;
  readonly recordTimeUnix: string;
  readonly recordTimeMono: string;
  readonly frameIndex: number;
  readonly sensorTimestampNs: bigint;
  readonly videoPts: number;
  readonly droppedBefore: number;
  readonly videoFile: string;
}

type RawRow = Record<(typeof TIMING_COLUMNS)[number], string>;

/** Reads a timing CSV written by TimingCSVWriter (tests, demo, analysis helpers). */
export async function readTimingCsv(path: string): Promise<TimingCsvRow[]> {
  return parseTimingCsv(await readFile(path, 'utf8'), path);
}

/** Parses the text of a timing CSV; `path` names it in errors. */
export function parseTimingCsv(text: string, path: string): TimingCsvRow[] {
  const parsed = Papa.parse<RawRow>(text, { header: true, skipEmptyLines: true, dynamicTyping: false });
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]!;
    throw new Error(`${path}: row ${first.row ?? '?'}: ${first.message}`);
  }
  const missing = TIMING_COLUMNS.filter((column) => !(parsed.meta.fields ?? []).includes(column));
  if (missing.length > 0) throw new Error(`${path}: missing columns ${missing.join(', ')}`);
  return parsed.data.map((raw) => ({
    trial: Number(raw.trial),
    module: raw.module,
    deviceId: raw.device_id,
    label: raw.label,
    recordTimeUnix: raw.record_time_unix,
    recordTimeMono: raw.record_time_mono,
    frameIndex: Number(raw.frame_index),
    sensorTimestampNs: BigInt(raw.sensor_timestamp_ns),
    videoPts: Number(raw.video_pts),
    droppedBefore: Number(raw.dropped_before),
    videoFile: raw.video_file,
  }));
}
