import type { ClockSample } from '../time/clock.js';

/** The nine columns of the logger's timing format, then this module's two extras. */
export const TIMING_COLUMNS = [
  'trial', 'module', 'device_id', 'label', 'record_time_unix', 'record_time_mono',
  'frame_index', 'sensor_timestamp_ns', 'video_pts', 'dropped_before', 'video_file',
] as const;

export const TIMING_MODULE_NAME = 'Cameras-USB2';

/** Only the label is always quoted (hosts expect it so); papaparse quotes others when needed. */
export const TIMING_QUOTED_COLUMNS: readonly boolean[] = TIMING_COLUMNS.map((column) => column === 'label');

export interface TimingRow {
  readonly recordTime: ClockSample;
  /** 1-based, continuous within the trial. */
  readonly frameIndex: number;
  readonly sensorTimestampNs: bigint;
  readonly videoPts: number;
  /** Frames lost right before this one: source gaps plus frames the writer refused. */
  readonly droppedBefore: number;
  /** Basename of the video part holding the frame. */
  readonly videoFile: string;
}

export interface TimingRowContext {
  readonly trial: number;
  readonly deviceId: string;
  readonly label: string;
}

/** 10n ** i for i in 0..9: formatNsAsSeconds runs twice per frame, so no bigint power per call. */
const POW10: readonly bigint[] = Array.from({ length: 10 }, (_, i) => 10n ** BigInt(i));

/**
 * Nanoseconds as decimal seconds with exactly `decimals` places, rounded half away from
 * zero in integer arithmetic: a double cannot hold epoch nanoseconds exactly.
 */
export function formatNsAsSeconds(ns: bigint, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 9) throw new RangeError(`decimals must be 0..9, got ${decimals}`);
  const negative = ns < 0n;
  const magnitude = negative ? -ns : ns;
  const step = POW10[9 - decimals]!;
  const units = (magnitude + step / 2n) / step;
  const perSecond = POW10[decimals]!;
  const whole = (units / perSecond).toString();
  const fraction = decimals === 0 ? '' : `.${(units % perSecond).toString().padStart(decimals, '0')}`;
  return `${negative && units !== 0n ? '-' : ''}${whole}${fraction}`;
}

/** One CSV row as strings, in TIMING_COLUMNS order. */
export function timingRowFields(context: TimingRowContext, row: TimingRow): string[] {
  return [
    String(context.trial),
    TIMING_MODULE_NAME,
    context.deviceId,
    context.label,
    formatNsAsSeconds(row.recordTime.unixNs, 6),
    formatNsAsSeconds(row.recordTime.monoNs, 9),
    String(row.frameIndex),
    row.sensorTimestampNs.toString(),
    String(row.videoPts),
    String(row.droppedBefore),
    row.videoFile,
  ];
}
