import type { SegmentInfo } from '../segments/segment_files.js';
import { epochMsToNs, TIMELINE_TOLERANCE_NS } from '../segments/timebase.js';

/** A request the producer refuses: its HTTP status and a sentence. */
export class ClipRejection extends Error {
  constructor(readonly statusCode: 400 | 404 | 409 | 429 | 503 | 507, message: string) {
    super(message);
    this.name = 'ClipRejection';
  }
}

const NS_PER_MS = 1_000_000n;
/** pts are int64 where they come from (V4L2, ffmpeg); a larger number is no pts. */
const INT64_MAX = 9_223_372_036_854_775_807n;
/** The last instant a Date holds (clip names carry the start time); later epoch values are refused before any arithmetic. */
const MAX_EPOCH_MS = 8.64e15;

/** A pts in ns from JSON: a decimal string (exact) or a safe integer number. */
export function parsePtsNs(value: unknown, field: string): bigint {
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^-\d+$/.test(text)) throw new ClipRejection(400, `${field} must not be negative`);
    if (!/^\d{1,20}$/.test(text)) throw new ClipRejection(400, `${field} must be an integer number of ns (a decimal string or a number)`);
    const pts = BigInt(text);
    if (pts > INT64_MAX) throw new ClipRejection(400, `${field} is beyond int64 (${INT64_MAX}): no frame has such a pts`);
    return pts;
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new ClipRejection(400, `${field} must be an integer number of ns`);
    if (value < 0) throw new ClipRejection(400, `${field} must not be negative`);
    if (!Number.isSafeInteger(value)) throw new ClipRejection(400, `${field} is above 2^53 and lost digits as a JSON number: send it as a decimal string`);
    return BigInt(value);
  }
  throw new ClipRejection(400, `${field} must be an integer number of ns (a decimal string or a number)`);
}

/**
 * The window a clip covers. pts windows are in the current capture clock (the timebase
 * /health reports) and select among segments of that timeline; epoch windows select in
 * every segment, each mapped with its own timeline's offset (so segments kept from an
 * earlier capture with another clock stay reachable by wall-clock time).
 */
export type ClipWindow =
  | { readonly mode: 'pts'; readonly fromNs: bigint; readonly toNs: bigint; readonly timelineOffsetNs: bigint | null }
  | { readonly mode: 'epoch'; readonly fromEpochNs: bigint; readonly toEpochNs: bigint; readonly timelineOffsetNs: bigint | null };

export interface RequestedWindow {
  readonly window: ClipWindow;
  /** The requested start/stop (before pre/postroll) as the response repeats them. */
  readonly startPtsNs: bigint | null;
  readonly stopPtsNs: bigint | null;
  readonly startEpochMs: number | null;
  readonly stopEpochMs: number | null;
}

export interface WindowFields {
  readonly start_pts_ns?: unknown;
  readonly stop_pts_ns?: unknown;
  readonly start_epoch_ms?: unknown;
  readonly stop_epoch_ms?: unknown;
  readonly preroll_ms?: unknown;
  readonly postroll_ms?: unknown;
}

function millis(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ClipRejection(400, `${field} must be a number of ms, 0 or more`);
  return value;
}

/** Validates the window fields (pts wins over epoch when both are given). */
export function requestedWindow(body: WindowFields, timelineOffsetNs: bigint | null): RequestedWindow {
  const preNs = BigInt(Math.round(millis(body.preroll_ms, 'preroll_ms') * 1e6));
  const postNs = BigInt(Math.round(millis(body.postroll_ms, 'postroll_ms') * 1e6));
  const hasPts = body.start_pts_ns !== undefined || body.stop_pts_ns !== undefined;
  if (hasPts) {
    if (body.start_pts_ns === undefined || body.stop_pts_ns === undefined) throw new ClipRejection(400, 'start_pts_ns and stop_pts_ns go together');
    const start = parsePtsNs(body.start_pts_ns, 'start_pts_ns');
    const stop = parsePtsNs(body.stop_pts_ns, 'stop_pts_ns');
    if (stop <= start) throw new ClipRejection(400, `stop_pts_ns (${stop}) must be after start_pts_ns (${start})`);
    const fromNs = start > preNs ? start - preNs : 0n;
    return { window: { mode: 'pts', fromNs, toNs: stop + postNs, timelineOffsetNs }, startPtsNs: start, stopPtsNs: stop, startEpochMs: null, stopEpochMs: null };
  }
  if (body.start_epoch_ms === undefined || body.stop_epoch_ms === undefined) {
    throw new ClipRejection(400, 'give start_pts_ns and stop_pts_ns, or start_epoch_ms and stop_epoch_ms');
  }
  const start = body.start_epoch_ms;
  const stop = body.stop_epoch_ms;
  if (typeof start !== 'number' || !Number.isFinite(start) || typeof stop !== 'number' || !Number.isFinite(stop)) {
    throw new ClipRejection(400, 'start_epoch_ms and stop_epoch_ms must be numbers');
  }
  if (start < 0 || stop < 0) throw new ClipRejection(400, 'start_epoch_ms and stop_epoch_ms must not be negative');
  if (start > MAX_EPOCH_MS || stop > MAX_EPOCH_MS) throw new ClipRejection(400, `start_epoch_ms and stop_epoch_ms must be at most ${MAX_EPOCH_MS} (a date)`);
  if (stop <= start) throw new ClipRejection(400, `stop_epoch_ms (${stop}) must be after start_epoch_ms (${start})`);
  return {
    window: { mode: 'epoch', fromEpochNs: epochMsToNs(start) - preNs, toEpochNs: epochMsToNs(stop) + postNs, timelineOffsetNs },
    startPtsNs: null, stopPtsNs: null, startEpochMs: start, stopEpochMs: stop,
  };
}

/** What a deployment allows one clip: its longest window and longest wait. */
export interface WindowLimits {
  /** Longest window, preroll and postroll included. */
  readonly maxWindowMs: number;
  /** The job's wait for the end of its window (max_wait_ms or the default). */
  readonly maxWaitMs: number;
  readonly nowEpochMs: number;
}

/**
 * Refuses (400) a window longer than the deployment allows, or one ending later than the job
 * could wait for: either would hold the queue and the disk for nothing. A pts window is placed
 * on the wall clock with the capture's timebase (unknown before the first frame: not checked,
 * there is nothing to cut then anyway).
 */
export function checkWindowLimits(requested: RequestedWindow, limits: WindowLimits): void {
  const { window } = requested;
  const fromNs = window.mode === 'pts' ? window.fromNs : window.fromEpochNs;
  const toNs = window.mode === 'pts' ? window.toNs : window.toEpochNs;
  const lengthNs = toNs - fromNs;
  if (lengthNs > BigInt(Math.round(limits.maxWindowMs)) * NS_PER_MS) {
    throw new ClipRejection(400, `the window is ${nsToSeconds(lengthNs)} s long with preroll and postroll; a clip may be at most ${limits.maxWindowMs / 1000} s (segments.clip_max_window_ms)`);
  }
  const endEpochNs = window.mode === 'epoch' ? toNs : window.timelineOffsetNs === null ? null : toNs + window.timelineOffsetNs;
  const latestNs = epochMsToNs(limits.nowEpochMs + limits.maxWaitMs);
  if (endEpochNs !== null && endEpochNs > latestNs) {
    throw new ClipRejection(400, `the window ends ${nsToSeconds(endEpochNs - epochMsToNs(limits.nowEpochMs))} s from now, after now + max_wait_ms (${limits.maxWaitMs} ms): the job would give up before it was recorded`);
  }
}

function nsToSeconds(ns: bigint): string {
  return (Number(ns / NS_PER_MS) / 1000).toFixed(3).replace(/\.?0+$/, '');
}

export function inTimeline(segment: SegmentInfo, timelineOffsetNs: bigint | null): boolean {
  if (timelineOffsetNs === null) return true;
  const delta = segment.offsetNs - timelineOffsetNs;
  return delta <= TIMELINE_TOLERANCE_NS && delta >= -TIMELINE_TOLERANCE_NS;
}

/** The window in this segment's pts, or null if the segment cannot hold frames of it. */
export function segmentRange(window: ClipWindow, segment: SegmentInfo): { fromNs: bigint; toNs: bigint } | null {
  const current = inTimeline(segment, window.timelineOffsetNs);
  if (window.mode === 'pts') return current ? { fromNs: window.fromNs, toNs: window.toNs } : null;
  const offset = current && window.timelineOffsetNs !== null ? window.timelineOffsetNs : segment.offsetNs;
  return { fromNs: window.fromEpochNs - offset, toNs: window.toEpochNs - offset };
}

/** Whether a segment has (or, while open, may get) frames in the window. */
export function overlaps(window: ClipWindow, segment: SegmentInfo): boolean {
  const range = segmentRange(window, segment);
  if (range === null) return false;
  if (range.toNs < segment.firstPtsNs) return false;
  return segment.open || range.fromNs <= segment.lastPtsNs;
}

export function nsToMsString(ns: bigint): string {
  return (ns / NS_PER_MS).toString();
}
