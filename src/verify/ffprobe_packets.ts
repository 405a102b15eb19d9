import type { Readable } from 'node:stream';
import { errnoCode } from '../errors/errno.js';
import { launcherFor, runCommand } from '../process/run_command.js';
import { NodeProcessSpawner } from '../process/spawner.js';

export interface ProbedStream {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly timeBase: string;
}

export interface ProbedVideo {
  readonly stream: ProbedStream;
  /** Packet pts in stream time-base units, in file order. */
  readonly pts: number[];
}

interface FfprobeJson {
  streams?: Array<{ codec_name?: string; width?: number; height?: number; time_base?: string }>;
  packets?: Array<{ pts?: number | string }>;
}

/** Reads a video's first stream and the pts of every packet with ffprobe. */
export function probeVideo(ffprobePath: string, file: string): Promise<ProbedVideo> {
  return probe(ffprobePath, file, file);
}

/**
 * The same, for a video that exists only as a stream (decrypted on the fly, never written
 * out): ffprobe reads it from its stdin. `name` names it in errors. A failing source (a
 * segment that does not authenticate) fails the probe, whatever ffprobe made of the rest.
 */
export function probeVideoStream(ffprobePath: string, source: Readable, name: string): Promise<ProbedVideo> {
  return probe(ffprobePath, 'pipe:0', name, source);
}

async function probe(ffprobePath: string, input: string, name: string, source?: Readable): Promise<ProbedVideo> {
  const result = await runCommand(launcherFor(new NodeProcessSpawner()), ffprobePath, [
    '-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name,width,height,time_base:packet=pts',
    '-of', 'json', input,
  ], { timeoutMs: 60_000, maxOutputBytes: 256 << 20, ...(source ? { input: source } : {}) });
  // EPIPE only says ffprobe stopped reading; its exit code says whether it failed.
  const fed = result.inputError;
  if (fed && errnoCode(fed) !== 'EPIPE') throw new Error(`${name}: ${fed.message}`);
  if (result.code !== 0) throw new Error(`ffprobe ${name} failed: ${result.stderr.trim()}`);
  const json = JSON.parse(result.stdout) as FfprobeJson;
  const stream = json.streams?.[0];
  if (!stream) throw new Error(`ffprobe found no video stream in ${name}`);
  return {
    stream: { codec: stream.codec_name ?? '?', width: stream.width ?? 0, height: stream.height ?? 0, timeBase: stream.time_base ?? '?' },
    pts: (json.packets ?? []).map((p) => Number(p.pts)),
  };
}
