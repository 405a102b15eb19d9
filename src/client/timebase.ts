import { ClipError } from './errors.js';

/** The producer's pts → wall-clock mapping, from GET /health's `timebase`. */
export interface Timebase {
  readonly ptsUnits: 'ns';
  readonly basePtsNs: bigint;
  readonly baseEpochMs: number;
}

/** Reads `timebase` of a /health payload; throws ClipError when it is missing (no frame yet) or malformed. */
export function timebaseFromHealth(health: unknown): Timebase {
  const tb = (health as { timebase?: unknown } | null)?.timebase as Record<string, unknown> | null | undefined;
  if (tb === null || tb === undefined || typeof tb !== 'object') throw new ClipError('health payload has no timebase (the producer has seen no frame yet?)');
  const units = tb['pts_units'];
  if (units !== 'ns') throw new ClipError(`unsupported pts_units ${JSON.stringify(units)} (expected "ns")`);
  const base = tb['base_pts_ns'];
  const epoch = tb['base_epoch_ms'];
  if ((typeof base !== 'string' && typeof base !== 'number') || typeof epoch !== 'number' || !Number.isFinite(epoch)) {
    throw new ClipError('health timebase needs base_pts_ns and base_epoch_ms');
  }
  let basePtsNs: bigint;
  try {
    basePtsNs = BigInt(base);
  } catch {
    throw new ClipError(`health timebase has a malformed base_pts_ns ${JSON.stringify(base)}`);
  }
  return { ptsUnits: 'ns', basePtsNs, baseEpochMs: epoch };
}

/** Epoch ms → producer pts (ns), to the microsecond. May be negative (before the clock's origin). */
export function epochMsToPts(timebase: Timebase, epochMs: number): bigint {
  return timebase.basePtsNs + BigInt(Math.round((epochMs - timebase.baseEpochMs) * 1000)) * 1000n;
}

/** Producer pts (ns) → epoch ms. */
export function ptsToEpochMs(timebase: Timebase, ptsNs: bigint): number {
  return timebase.baseEpochMs + Number(ptsNs - timebase.basePtsNs) / 1e6;
}
