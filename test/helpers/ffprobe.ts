import { runTool, runToolOk } from './run_tool.js';

export interface ProbedPacket {
  readonly pts: number;
  readonly dts: number | null;
  readonly size: number;
}

export interface ProbedStream {
  readonly codecName: string;
  readonly width: number;
  readonly height: number;
  readonly timeBase: string;
}

export interface ProbeResult {
  readonly streams: ProbedStream[];
  readonly packets: ProbedPacket[];
  readonly format: { readonly formatName: string; readonly duration: number | null };
}

interface RawProbe {
  streams?: Array<{ codec_name: string; width: number; height: number; time_base: string }>;
  packets?: Array<{ pts?: number; dts?: number; size: string }>;
  format?: { format_name: string; duration?: string };
}

/** Runs ffprobe with these arguments before the file (plus -of json). */
async function ffprobeJson(file: string, args: readonly string[]): Promise<unknown> {
  const { stdout } = await runToolOk('ffprobe', ['-v', 'error', ...args, '-of', 'json', file]);
  return JSON.parse(stdout.toString('utf8')) as unknown;
}

/** Streams, every video packet and the format of a file, as ffprobe sees them. */
export async function probeFile(file: string): Promise<ProbeResult> {
  const raw = await ffprobeJson(file, ['-select_streams', 'v:0', '-show_packets', '-show_streams', '-show_format']) as RawProbe;
  return {
    streams: (raw.streams ?? []).map((s) => ({
      codecName: s.codec_name, width: s.width, height: s.height, timeBase: s.time_base,
    })),
    packets: (raw.packets ?? []).map((p) => ({
      pts: p.pts ?? Number.NaN,
      dts: p.dts ?? null,
      size: Number(p.size),
    })),
    format: { formatName: raw.format?.format_name ?? '', duration: raw.format?.duration ? Number(raw.format.duration) : null },
  };
}

/** Decodes every frame; returns ffmpeg's error output ('' when the file decodes cleanly). */
export async function decodeErrors(file: string): Promise<string> {
  const result = await runTool('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-f', 'null', '-']);
  return result.code === 0 ? result.stderr.trim() : `exit ${result.code}: ${result.stderr.trim()}`;
}

/** The first video packet's bytes, copied out with ffmpeg (no re-encode). */
export async function firstPacketBytes(file: string): Promise<Buffer> {
  const { stdout } = await runToolOk('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-c', 'copy', '-frames:v', '1', '-f', 'mjpeg', '-']);
  return stdout;
}
