import type { FrameSize, PixelFormatInfo } from './format_types.js';

// "[video4linux2,v4l2 @ 0x55d0…] Compressed:       mjpeg :          Motion-JPEG : 640x480 160x90 …"
const FORMAT_LINE = /\]\s*(Raw|Compressed)\s*:\s*(\S+)\s+:\s+(.*?)\s+:(?:\s*Emulated\s*:)?(.*)$/;
const EMULATED = /:\s*Emulated\s*:/;
const DISCRETE_SIZE = /^(\d+)x(\d+)$/;
const STEPWISE_SIZE = /\{(\d+)-(\d+), (\d+)\}x\{(\d+)-(\d+), (\d+)\}/g;

/**
 * Reads what `ffmpeg -f v4l2 -list_formats all -i /dev/videoN` prints on stderr (the
 * fallback when v4l2-ctl is not installed). ffmpeg lists sizes but no frame rates, so
 * every size comes without intervals; "Unsupported" formats get no ffmpeg name.
 */
export function parseFfmpegListFormats(stderr: string): PixelFormatInfo[] {
  const formats: PixelFormatInfo[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    const match = FORMAT_LINE.exec(line);
    if (!match) continue;
    const name = match[2] ?? '';
    formats.push({
      fourcc: null,
      pixelFormat: name === 'Unsupported' ? null : name,
      description: (match[3] ?? '').trim(),
      compressed: match[1] === 'Compressed',
      emulated: EMULATED.test(line),
      sizes: parseSizes(match[4] ?? ''),
    });
  }
  return formats;
}

function parseSizes(text: string): FrameSize[] {
  const sizes: FrameSize[] = [];
  for (const m of text.matchAll(STEPWISE_SIZE)) {
    sizes.push({
      kind: 'stepwise',
      minWidth: Number(m[1]), maxWidth: Number(m[2]), stepWidth: Number(m[3]),
      minHeight: Number(m[4]), maxHeight: Number(m[5]), stepHeight: Number(m[6]),
      intervals: [],
    });
  }
  for (const token of text.replace(STEPWISE_SIZE, ' ').split(/\s+/)) {
    const m = DISCRETE_SIZE.exec(token);
    if (m) sizes.push({ kind: 'discrete', width: Number(m[1]), height: Number(m[2]), intervals: [] });
  }
  return sizes;
}
