import { ClipError, ClipHttpError, ClipRequestError, ClipTimeoutError } from './errors.js';
import { epochMsToPts, type Timebase } from './timebase.js';

export interface RecorderConfig {
  /** e.g. http://127.0.0.1:8765 */
  readonly producerBaseUrl: string;
  readonly defaultOutDir?: string | null;
  readonly defaultLabel?: string | null;
  /** Longest wait for a job to finish (also sent as the job's max_wait_ms). Default 30000. */
  readonly maxWaitMs?: number;
  /** Default 200. */
  readonly pollIntervalMs?: number;
  readonly defaultPrerollMs?: number | null;
  readonly defaultPostrollMs?: number | null;
  /** Bearer token when the producer requires one. */
  readonly token?: string | null;
  /** Extra time past max_wait_ms for the producer to write the clip after waiting (default 5000). */
  readonly finishGraceMs?: number;
  /** One HTTP request's timeout (default 10000). */
  readonly requestTimeoutMs?: number;
}

/** pts values: bigint, a safe integer number or a decimal string. */
export type PtsValue = bigint | number | string;

export interface ClipRequest {
  /** Window in producer pts (ns): recommended. Wins over the epoch window. */
  readonly startPtsNs?: PtsValue | null;
  readonly stopPtsNs?: PtsValue | null;
  /** Window in epoch ms (when pts is not available). */
  readonly startMs?: number | null;
  readonly stopMs?: number | null;
  readonly label?: string | null;
  readonly outDir?: string | null;
  readonly filename?: string | null;
  readonly prerollMs?: number | null;
  readonly postrollMs?: number | null;
  readonly maxWaitMs?: number | null;
}

export interface ClipResult {
  readonly jobId: string;
  readonly status: 'done';
  /** The window the request gave: pts or epoch (an epoch window may have been sent as pts via the Timebase). */
  readonly mode: 'pts' | 'epoch';
  readonly path: string | null;
  readonly startPtsNs: bigint | null;
  readonly stopPtsNs: bigint | null;
  readonly startMs: number | null;
  readonly stopMs: number | null;
  /** The last GET /clip/{id} payload. */
  readonly raw: Readonly<Record<string, unknown>>;
}

interface Normalized {
  readonly mode: 'pts' | 'epoch';
  readonly startPtsNs: bigint | null;
  readonly stopPtsNs: bigint | null;
  readonly startMs: number | null;
  readonly stopMs: number | null;
}

const TERMINAL = new Set(['done', 'error', 'cancelled']);

function present<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

function toPts(value: PtsValue, field: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new ClipRequestError(`${field} must be an integer number of ns below 2^53 (use a bigint or a string above that)`);
    return BigInt(value);
  }
  if (!/^\s*-?\d+\s*$/.test(value)) throw new ClipRequestError(`${field} must be an integer number of ns, got '${value.slice(0, 40)}'`);
  return BigInt(value.trim());
}

/** Validates the window and applies pts precedence and the Timebase; throws ClipRequestError. */
export function normalizeWindow(request: ClipRequest, timebase: Timebase | null): Normalized {
  const hasStartPts = present(request.startPtsNs);
  const hasStopPts = present(request.stopPtsNs);
  if (hasStartPts || hasStopPts) {
    if (!hasStartPts || !hasStopPts) throw new ClipRequestError('a pts window needs both startPtsNs and stopPtsNs');
    const start = toPts(request.startPtsNs!, 'startPtsNs');
    const stop = toPts(request.stopPtsNs!, 'stopPtsNs');
    if (start < 0n || stop < 0n) throw new ClipRequestError('pts must not be negative');
    if (stop <= start) throw new ClipRequestError(`stop (${stop}) must be after start (${start})`);
    return { mode: 'pts', startPtsNs: start, stopPtsNs: stop, startMs: null, stopMs: null };
  }
  const hasStartMs = present(request.startMs);
  const hasStopMs = present(request.stopMs);
  if (!hasStartMs && !hasStopMs) throw new ClipRequestError('give a pts window (startPtsNs, stopPtsNs) or an epoch-ms window (startMs, stopMs)');
  if (!hasStartMs || !hasStopMs) throw new ClipRequestError('an epoch window needs both startMs and stopMs');
  const start = request.startMs!;
  const stop = request.stopMs!;
  if (!Number.isFinite(start) || !Number.isFinite(stop)) throw new ClipRequestError('startMs and stopMs must be finite numbers');
  if (stop <= start) throw new ClipRequestError(`stop (${stop}) must be after start (${start})`);
  if (timebase === null) return { mode: 'epoch', startPtsNs: null, stopPtsNs: null, startMs: start, stopMs: stop };
  const startPts = epochMsToPts(timebase, start);
  const stopPts = epochMsToPts(timebase, stop);
  if (startPts < 0n || stopPts < 0n) throw new ClipRequestError(`epoch window ${start}..${stop} maps to a negative pts (${startPts}..${stopPts})`);
  return { mode: 'epoch', startPtsNs: startPts, stopPtsNs: stopPts, startMs: start, stopMs: stop };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drives the producer's clip API: validates and normalizes a window, POSTs /clip (pts as
 * decimal strings, or the epoch window when there is no Timebase), then polls
 * GET /clip/{id} until done (→ ClipResult) or error (→ ClipError), or ClipTimeoutError.
 */
export class Recorder {
  private readonly base: string;

  constructor(readonly config: RecorderConfig, readonly timebase: Timebase | null = null) {
    this.base = config.producerBaseUrl.replace(/\/+$/, '');
  }

  async requestClip(request: ClipRequest): Promise<ClipResult> {
    const window = normalizeWindow(request, this.timebase);
    const maxWaitMs = request.maxWaitMs ?? this.config.maxWaitMs ?? 30_000;
    const body: Record<string, unknown> = {};
    if (window.startPtsNs !== null && window.stopPtsNs !== null) {
      body['start_pts_ns'] = window.startPtsNs.toString();
      body['stop_pts_ns'] = window.stopPtsNs.toString();
    } else {
      body['start_epoch_ms'] = window.startMs;
      body['stop_epoch_ms'] = window.stopMs;
    }
    const label = request.label ?? this.config.defaultLabel ?? null;
    const outDir = request.outDir ?? this.config.defaultOutDir ?? null;
    const preroll = request.prerollMs ?? this.config.defaultPrerollMs ?? null;
    const postroll = request.postrollMs ?? this.config.defaultPostrollMs ?? null;
    if (label !== null) body['label'] = label;
    if (outDir !== null) body['out_dir'] = outDir;
    if (present(request.filename)) body['filename'] = request.filename;
    if (preroll !== null) body['preroll_ms'] = preroll;
    if (postroll !== null) body['postroll_ms'] = postroll;
    body['max_wait_ms'] = maxWaitMs;

    const accepted = await this.call('POST', '/clip', body);
    const clipId = accepted['clip_id'] ?? accepted['id'];
    if (typeof clipId !== 'string' || clipId.length === 0) throw new ClipHttpError('POST /clip answered without clip_id or id', null, accepted);

    const deadline = Date.now() + maxWaitMs + (this.config.finishGraceMs ?? 5000);
    let lastStatus: string | null = null;
    for (;;) {
      const payload = await this.call('GET', `/clip/${encodeURIComponent(clipId)}`);
      const clip = (payload['clip'] ?? {}) as Record<string, unknown>;
      const status = (payload['status'] ?? clip['status']) as string | undefined;
      lastStatus = status ?? null;
      if (status !== undefined && TERMINAL.has(status)) {
        if (status === 'error' || status === 'cancelled') {
          const message = (payload['message'] ?? clip['message'] ?? `clip job ${status}`) as string;
          throw new ClipError(`clip ${clipId} ${status === 'error' ? 'failed' : 'was cancelled'}: ${message}`);
        }
        const path = (payload['path'] ?? clip['path'] ?? null) as string | null;
        return { jobId: clipId, status: 'done', path, ...window, raw: payload };
      }
      if (Date.now() >= deadline) {
        throw new ClipTimeoutError(`clip ${clipId} still ${status ?? 'unknown'} after ${maxWaitMs} ms`, clipId, lastStatus);
      }
      await sleep(Math.min(this.config.pollIntervalMs ?? 200, Math.max(0, deadline - Date.now())));
    }
  }

  /** GET /health. */
  health(): Promise<Record<string, unknown>> {
    return this.call('GET', '/health');
  }

  /**
   * DELETE /clip/{id}: cancels a queued or running job (its temp files are removed); resolves
   * with the job's status (`cancelled`). HTTP 409 when it already finished, 404 when unknown.
   */
  cancel(clipId: string): Promise<Record<string, unknown>> {
    return this.call('DELETE', `/clip/${encodeURIComponent(clipId)}`, {});
  }

  /** POST /force_rotate (seals the producer's open segment). */
  forceRotate(): Promise<Record<string, unknown>> {
    return this.call('POST', '/force_rotate', {});
  }

  /** Every request that changes something carries a JSON body (the server refuses others, see request_guard.ts). */
  private async call(method: 'GET' | 'POST' | 'DELETE', route: string, body?: unknown): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.config.token) headers['authorization'] = `Bearer ${this.config.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.base}${route}`, {
        method, headers, signal: AbortSignal.timeout(this.config.requestTimeoutMs ?? 10_000),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ClipHttpError(`${method} ${route} failed: ${err instanceof Error ? err.message : String(err)}`, null, null, { cause: err });
    }
    const text = await response.text();
    let payload: unknown = null;
    try {
      payload = text.length === 0 ? {} : JSON.parse(text);
    } catch (err) {
      throw new ClipHttpError(`${method} ${route}: HTTP ${response.status} with a body that is not JSON`, response.status, text.slice(0, 500), { cause: err });
    }
    if (!response.ok) {
      const message = (payload as { message?: unknown } | null)?.message;
      throw new ClipHttpError(`${method} ${route}: HTTP ${response.status}${typeof message === 'string' ? `: ${message}` : ''}`, response.status, payload);
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new ClipHttpError(`${method} ${route}: expected a JSON object`, response.status, payload);
    }
    return payload as Record<string, unknown>;
  }
}
