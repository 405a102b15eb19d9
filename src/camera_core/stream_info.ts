export interface VideoStreamInfo {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  /** The stream's frame rate ("30 fps"), or its tbr when no fps is printed. */
  readonly fps: number;
}

const VIDEO_STREAM_LINE = /^\s*Stream #\d+:\d+.*?: Video: (.*)$/m;

/**
 * Reads the first video stream from what `ffmpeg -i <file>` prints on stderr, e.g.
 * "Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 320x240 [SAR 1:1 DAR 4:3], 30 fps, 30 tbr, 1k tbn".
 */
export function parseVideoStreamInfo(stderr: string): VideoStreamInfo | null {
  const line = VIDEO_STREAM_LINE.exec(stderr)?.[1];
  if (!line) return null;
  const codec = /^([\w-]+)/.exec(line)?.[1];
  const size = /, (\d+)x(\d+)\b/.exec(line);
  const fps = rateBefore(line, 'fps') ?? rateBefore(line, 'tbr');
  if (!codec || !size || fps === null) return null;
  return { codec, width: Number(size[1]), height: Number(size[2]), fps };
}

function rateBefore(line: string, unit: 'fps' | 'tbr'): number | null {
  const match = new RegExp(`, (\\d+(?:\\.\\d+)?)(k?) ${unit}\\b`).exec(line);
  if (!match) return null;
  const value = Number(match[1]) * (match[2] === 'k' ? 1000 : 1);
  return value > 0 ? value : null;
}
