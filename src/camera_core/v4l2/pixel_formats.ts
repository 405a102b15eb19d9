/**
 * V4L2 fourcc → the name ffmpeg's v4l2 input takes as -input_format (a pixel format for raw
 * video, a codec name for compressed streams). Only formats ffmpeg's v4l2 demuxer can
 * capture are listed; anything else (RealSense's Y8I/Y12I, vendor formats) is not offered
 * as a capture mode.
 */
const FFMPEG_NAMES: Readonly<Record<string, string>> = {
  MJPG: 'mjpeg',
  JPEG: 'mjpeg',
  H264: 'h264',
  YUYV: 'yuyv422',
  UYVY: 'uyvy422',
  YU12: 'yuv420p',
  YV12: 'yuv420p',
  '422P': 'yuv422p',
  NV12: 'nv12',
  GREY: 'gray',
  'Y16': 'gray16le',
  'Z16': 'gray16le',
  RGB3: 'rgb24',
  BGR3: 'bgr24',
  RGBP: 'rgb565le',
  BA81: 'bayer_bggr8',
  GBRG: 'bayer_gbrg8',
  GRBG: 'bayer_grbg8',
  RGGB: 'bayer_rggb8',
};

/** ffmpeg's name for a V4L2 fourcc ('YUYV' → 'yuyv422'), or null when ffmpeg cannot capture it. */
export function ffmpegPixelFormat(fourcc: string): string | null {
  return FFMPEG_NAMES[fourcc.trim().toUpperCase()] ?? null;
}

