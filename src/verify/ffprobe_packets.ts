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
export async function probeVideo(ffprobePath: string, file: string): Promise<ProbedVideo> {
  const result = await runCommand(launcherFor(new NodeProcessSpawner()), ffprobePath, [
    '-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name,width,height,time_base:packet=pts',
    '-of', 'json', file,
  ], { timeoutMs: 60_000, maxOutputBytes: 256 << 20 });
  if (result.code !== 0) throw new Error(`ffprobe ${file} failed: ${result.stderr.trim()}`);
  const json = JSON.parse(result.stdout) as FfprobeJson;
  const stream = json.streams?.[0];
  if (!stream) throw new Error(`ffprobe found no video stream in ${file}`);
  return {
    stream: { codec: stream.codec_name ?? '?', width: stream.width ?? 0, height: stream.height ?? 0, timeBase: stream.time_base ?? '?' },
    pts: (json.packets ?? []).map((p) => Number(p.pts)),
  };
}
