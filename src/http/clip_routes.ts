import type { FastifyPluginAsync } from 'fastify';
import { ClipRejection } from '../storage/clips/clip_window.js';
import { clipJobJson, type ClipRequestBody, type ClipService } from '../storage/clips/clip_service.js';
import type { SegmentInfo } from '../storage/segments/segment_files.js';
import type { SegmentRing } from '../storage/segments/segment_ring.js';
import { HttpError } from './server.js';

/** The ring and clip jobs of the assigned camera. */
export interface RingAndClips {
  readonly ring: SegmentRing;
  readonly clips: ClipService;
}

export interface ClipRoutesOptions {
  /** The camera's ring and clip jobs; null while no camera is assigned or segments are off (answered 503). */
  readonly current: () => RingAndClips | null;
  /** What /health says about the camera (id, name, mode); null while none is assigned. */
  readonly camera?: () => Record<string, unknown> | null;
}

const ERROR = { $ref: 'http/error.schema.json' } as const;
const CLIP_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function segmentJson(segment: SegmentInfo): Record<string, unknown> {
  return {
    id: segment.id,
    open: segment.open,
    first_pts_ns: segment.firstPtsNs.toString(),
    last_pts_ns: segment.lastPtsNs.toString(),
    first_epoch_ms: segment.firstEpochMs,
    last_epoch_ms: segment.lastEpochMs,
    frames: segment.frames,
    bytes: segment.bytes,
    video_path: segment.videoPath,
    timing_path: segment.timingPath,
  };
}

/** GET /health, GET /segments, POST /force_rotate, POST /clip, GET /clip/{clip_id}, DELETE /clip/{clip_id}. */
export function clipRoutes(options: ClipRoutesOptions): FastifyPluginAsync {
  const need = (): RingAndClips => {
    const current = options.current();
    if (current === null) throw new HttpError(503, 'no segment ring: no camera is assigned, or segments are off (segments.enabled, --segments)');
    return current;
  };
  return async (app) => {
    app.get('/health', { schema: { response: { 200: { $ref: 'http/health.schema.json' }, '5xx': ERROR } } }, async () => {
      const { ring, clips } = need();
      const segments = ring.list().filter((segment) => segment.frames > 0);
      const oldest = segments[0] ?? null;
      const newest = segments.at(-1) ?? null;
      return {
        ok: true,
        ts_ms: Date.now(),
        timebase: ring.timebaseReport(),
        camera: options.camera?.() ?? null,
        ring: { state: ring.state, reason: ring.reason, frames_dropped: ring.dropped, dir: ring.dir },
        segments: {
          count: segments.length,
          bytes: segments.reduce((sum, segment) => sum + segment.bytes, 0),
          oldest_pts_ns: oldest?.firstPtsNs.toString() ?? null,
          newest_pts_ns: newest?.lastPtsNs.toString() ?? null,
          oldest_epoch_ms: oldest?.firstEpochMs ?? null,
          newest_epoch_ms: newest?.lastEpochMs ?? null,
        },
        clips: { pending: clips.pending, dir: clips.clipsDir },
      };
    });

    app.get('/segments', { schema: { response: { 200: { $ref: 'http/segments.schema.json' }, '5xx': ERROR } } }, async () => ({
      ok: true,
      segments: need().ring.list().filter((segment) => segment.frames > 0).map(segmentJson),
    }));

    app.post('/force_rotate', {
      schema: { body: { $ref: 'http/empty_body.schema.json' }, response: { 200: { $ref: 'http/force_rotate.schema.json' }, '4xx': ERROR, '5xx': ERROR } },
    }, async () => {
      const sealed = await need().ring.forceRotate();
      return { ok: true, sealed: sealed === null || sealed.frames === 0 ? null : segmentJson(sealed) };
    });

    app.post<{ Body: ClipRequestBody }>('/clip', {
      schema: {
        body: { $ref: 'http/clip_request.schema.json' },
        response: { 202: { $ref: 'http/clip_accepted.schema.json' }, '4xx': ERROR, '5xx': ERROR },
      },
    }, async (request, reply) => {
      try {
        const job = await need().clips.submit(request.body ?? {});
        return await reply.code(202).send({ ok: true, clip_id: job.clipId, id: job.clipId, status: job.status, path: job.path });
      } catch (err) {
        if (err instanceof ClipRejection) throw new HttpError(err.statusCode, err.message);
        throw err;
      }
    });

    app.get<{ Params: { clip_id: string } }>('/clip/:clip_id', {
      schema: { response: { 200: { $ref: 'http/clip_status.schema.json' }, '4xx': ERROR, '5xx': ERROR } },
    }, async (request) => {
      const id = request.params.clip_id;
      const job = CLIP_ID.test(id) ? need().clips.get(id) : undefined;
      if (job === undefined) throw new HttpError(404, `unknown clip_id '${id.slice(0, 64)}'`);
      return clipJobJson(job);
    });

    // Answers once the job stopped and its temp files are gone: the status says cancelled.
    app.delete<{ Params: { clip_id: string } }>('/clip/:clip_id', {
      schema: {
        body: { $ref: 'http/clip_cancel.schema.json' },
        response: { 200: { $ref: 'http/clip_status.schema.json' }, '4xx': ERROR, '5xx': ERROR },
      },
    }, async (request) => {
      const id = request.params.clip_id;
      if (!CLIP_ID.test(id)) throw new HttpError(404, `unknown clip_id '${id.slice(0, 64)}'`);
      try {
        return clipJobJson(await need().clips.cancel(id));
      } catch (err) {
        if (err instanceof ClipRejection) throw new HttpError(err.statusCode, err.message);
        throw err;
      }
    });
  };
}
