import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logging/logger.js';
import { errnoCode } from '../../errors/errno.js';
import { parseTimingCsv } from '../timing_reader.js';
import { ENCRYPTED_SUFFIX } from '../sinks/file_sinks.js';
import { readPlaintextText, type RingReadKey } from './plaintext_source.js';
import { sizeOrZero } from '../file_size.js';

/** One frame of a segment as its timing row tells it. */
export interface FrameRow {
  readonly sensorTimestampNs: bigint;
  readonly unixNs: bigint;
  readonly monoNs: bigint;
  /** The pts the segment file gives the frame (ms). */
  readonly videoPts: number;
  readonly droppedBefore: number;
}

/** What the index knows about one segment. */
export interface SegmentInfo {
  /** The file name without extension, e.g. seg_20261201T101500.123Z. */
  readonly id: string;
  readonly videoPath: string;
  readonly timingPath: string;
  /** Still being written: only its committed frames count. */
  open: boolean;
  firstPtsNs: bigint;
  lastPtsNs: bigint;
  firstEpochMs: number;
  lastEpochMs: number;
  frames: number;
  /** Video plus timing file. */
  bytes: number;
  /**
   * The smallest (arrival wall clock − sensor timestamp) over its frames: maps this
   * segment's pts to epoch time, and tells which timeline (capture clock) it belongs to.
   */
  offsetNs: bigint;
}

export const SEGMENT_PREFIX = 'seg_';
export const SEGMENT_VIDEO_EXT = '.mkv';
export const SEGMENT_TIMING_SUFFIX = '_timing.csv';
const SEGMENT_NAME = /^seg_\d{8}T\d{6}\.\d{3}Z(?:_\d+)?$/;

/** seg_YYYYMMDDTHHMMSS.mmmZ: the first frame's arrival time, UTC, sortable. */
export function segmentStem(epochMs: number, suffix = 0): string {
  const iso = new Date(Math.floor(epochMs)).toISOString(); // 2026-12-01T10:15:00.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 23)}Z`;
  return `${SEGMENT_PREFIX}${stamp}${suffix > 0 ? `_${suffix}` : ''}`;
}

/** `suffix`: what the file sinks add ('.enc' when encrypting). */
export function segmentPaths(dir: string, stem: string, suffix = ''): { videoPath: string; timingPath: string } {
  return { videoPath: path.join(dir, `${stem}${SEGMENT_VIDEO_EXT}${suffix}`), timingPath: path.join(dir, `${stem}${SEGMENT_TIMING_SUFFIX}${suffix}`) };
}

const NS_PER_S = 1_000_000_000n;

/** "1733047200.123456" (decimal seconds as the timing CSV writes them) → ns, exactly. */
export function decimalSecondsToNs(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal number of seconds: '${text}'`);
  const fraction = (match[3] ?? '').padEnd(9, '0');
  const ns = BigInt(match[2]!) * NS_PER_S + BigInt(fraction);
  return match[1] === '-' ? -ns : ns;
}

export function nsToEpochMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

/**
 * The rows of a segment's timing file, as frames; a `.enc` file is decrypted as it is read.
 * Of a file cut by a crash, only complete rows count (its last segment may be missing).
 */
export async function readSegmentRows(timingPath: string, key: RingReadKey = null): Promise<FrameRow[]> {
  const text = await readPlaintextText(timingPath, key);
  const rows = parseTimingCsv(text.slice(0, text.lastIndexOf('\n') + 1), timingPath);
  return rows.map((row) => ({
    sensorTimestampNs: row.sensorTimestampNs,
    unixNs: decimalSecondsToNs(row.recordTimeUnix),
    monoNs: decimalSecondsToNs(row.recordTimeMono),
    videoPts: row.videoPts,
    droppedBefore: row.droppedBefore,
  }));
}

/** Index entry for a segment whose frames are known. */
export function summarize(id: string, paths: { videoPath: string; timingPath: string }, rows: readonly FrameRow[], bytes: number): SegmentInfo {
  const first = rows[0]!;
  const last = rows.at(-1)!;
  let offsetNs = first.unixNs - first.sensorTimestampNs;
  for (const row of rows) {
    const offset = row.unixNs - row.sensorTimestampNs;
    if (offset < offsetNs) offsetNs = offset;
  }
  return {
    id, ...paths, open: false,
    firstPtsNs: first.sensorTimestampNs, lastPtsNs: last.sensorTimestampNs,
    firstEpochMs: nsToEpochMs(first.unixNs), lastEpochMs: nsToEpochMs(last.unixNs),
    frames: rows.length, bytes, offsetNs,
  };
}


async function removeQuietly(file: string, logger: Logger): Promise<void> {
  await unlink(file).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') logger.warn('segments: could not remove a file', { file, error: String(err) });
  });
}

/**
 * The index of a segment folder, rebuilt from its files: every seg_*.mkv with its timing
 * CSV, oldest first. A segment left without timing rows (a crash right after it was
 * created) or without its timing file is removed with a log line; after a crash the rows
 * are the authority (the video may hold a few more frames than were committed to the CSV).
 */
export async function rebuildIndex(dir: string, logger: Logger, key: RingReadKey = null): Promise<SegmentInfo[]> {
  const names = await readdir(dir);
  // Plain and encrypted segments alike (encryption may have been switched on or off between runs).
  const found = names.flatMap((name) => {
    const suffix = name.endsWith(ENCRYPTED_SUFFIX) ? ENCRYPTED_SUFFIX : '';
    const plain = name.slice(0, name.length - suffix.length);
    if (!plain.endsWith(SEGMENT_VIDEO_EXT)) return [];
    const stem = plain.slice(0, -SEGMENT_VIDEO_EXT.length);
    return SEGMENT_NAME.test(stem) ? [{ stem, suffix }] : [];
  }).sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0));
  const segments: SegmentInfo[] = [];
  for (const { stem, suffix } of found) {
    const paths = segmentPaths(dir, stem, suffix);
    let rows: FrameRow[] = [];
    try {
      rows = names.includes(path.basename(paths.timingPath)) ? await readSegmentRows(paths.timingPath, key) : [];
    } catch (err) {
      logger.warn('segments: unreadable timing file, segment discarded', { file: paths.timingPath, error: String(err) });
    }
    if (rows.length === 0) {
      logger.warn('segments: segment without timing rows discarded', { file: paths.videoPath });
      await removeQuietly(paths.videoPath, logger);
      await removeQuietly(paths.timingPath, logger);
      continue;
    }
    const bytes = (await sizeOrZero(paths.videoPath)) + (await sizeOrZero(paths.timingPath));
    segments.push(summarize(stem, paths, rows, bytes));
  }
  segments.sort((a, b) => a.firstEpochMs - b.firstEpochMs);
  return segments;
}

export async function removeSegmentFiles(segment: SegmentInfo, logger: Logger): Promise<void> {
  await removeQuietly(segment.videoPath, logger);
  await removeQuietly(segment.timingPath, logger);
}
