/**
 * A process running a segment ring, clip jobs and the HTTP API on the synthetic camera, for
 * clip_kill9.test.ts to kill -9 in the middle of a clip job. Every batch of frames a job
 * writes waits `argv[3]` ms first, so the job is surely mid-file when the kill lands.
 * Prints one JSON line { url, clipsDir } once serving.
 */
import { sleep, startLiveRing } from './clip_fixture.js';

const root = process.argv[2];
const batchDelayMs = Number(process.argv[3] ?? 1000);
if (!root) throw new Error('usage: clip_kill9_child.js ROOT [BATCH_DELAY_MS]');
const live = await startLiveRing({ root, segmentSeconds: 2, onBatch: () => sleep(batchDelayMs) });
process.stdout.write(`${JSON.stringify({ url: live.url, clipsDir: live.clips.clipsDir })}\n`);
setInterval(() => undefined, 60_000);
