import type { ClipWindow, WindowFields } from './clip_window.js';

/** cancelled: by DELETE /clip/{id}, or queued or running when the module shut down. */
export type ClipStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled';

export interface ClipRequestBody extends WindowFields {
  readonly label?: string | null;
  readonly out_dir?: string | null;
  readonly filename?: string | null;
  readonly max_wait_ms?: number | null;
}

/** One clip job as GET /clip/{id} reports it. */
export interface ClipJob {
  readonly clipId: string;
  status: ClipStatus;
  /** The final clip path once done (the planned one before). */
  path: string;
  timingPath: string;
  message: string | null;
  frames: number;
  firstPtsNs: bigint | null;
  lastPtsNs: bigint | null;
  readonly label: string | null;
  readonly mode: 'pts' | 'epoch';
  readonly window: ClipWindow;
  readonly startPtsNs: bigint | null;
  readonly stopPtsNs: bigint | null;
  readonly startEpochMs: number | null;
  readonly stopEpochMs: number | null;
  readonly submittedMs: number;
  finishedMs: number | null;
}

function windowPts(window: ClipWindow): { from: string | null; to: string | null } {
  if (window.mode === 'pts') return { from: window.fromNs.toString(), to: window.toNs.toString() };
  if (window.timelineOffsetNs === null) return { from: null, to: null };
  const from = window.fromEpochNs - window.timelineOffsetNs;
  const to = window.toEpochNs - window.timelineOffsetNs;
  return { from: from < 0n ? '0' : from.toString(), to: to < 0n ? '0' : to.toString() };
}

/** A job as the HTTP API reports it (pts as decimal strings). */
export function clipJobJson(job: ClipJob): Record<string, unknown> {
  const clip = {
    clip_id: job.clipId,
    status: job.status,
    path: job.status === 'done' ? job.path : null,
    timing_path: job.status === 'done' ? job.timingPath : null,
    frames: job.frames,
    first_pts_ns: job.firstPtsNs?.toString() ?? null,
    last_pts_ns: job.lastPtsNs?.toString() ?? null,
    label: job.label,
    mode: job.mode,
    start_pts_ns: job.startPtsNs?.toString() ?? null,
    stop_pts_ns: job.stopPtsNs?.toString() ?? null,
    start_epoch_ms: job.startEpochMs,
    stop_epoch_ms: job.stopEpochMs,
    message: job.message,
    // The window with pre/postroll in the capture clock's pts (an epoch window as mapped at submission).
    from_pts_ns: windowPts(job.window).from,
    to_pts_ns: windowPts(job.window).to,
  };
  return { ok: job.status !== 'error' && job.status !== 'cancelled', status: job.status, path: clip.path, message: job.message, clip };
}
