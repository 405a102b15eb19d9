/** One frame-rate entry of a frame size, as VIDIOC_ENUM_FRAMEINTERVALS reports it. */
export type FrameInterval =
  | { readonly kind: 'discrete'; readonly fps: number }
  /** Stepwise and continuous ranges; the step between rates is not kept (cameras accept the standard ones). */
  | { readonly kind: 'stepwise'; readonly minFps: number; readonly maxFps: number };

/** One frame-size entry of a pixel format, as VIDIOC_ENUM_FRAMESIZES reports it. */
export type FrameSize =
  | { readonly kind: 'discrete'; readonly width: number; readonly height: number; readonly intervals: readonly FrameInterval[] }
  | {
      readonly kind: 'stepwise';
      readonly minWidth: number;
      readonly maxWidth: number;
      readonly stepWidth: number;
      readonly minHeight: number;
      readonly maxHeight: number;
      readonly stepHeight: number;
      readonly intervals: readonly FrameInterval[];
    };

/** One pixel format a capture node offers, with its sizes and rates. */
export interface PixelFormatInfo {
  /** The V4L2 fourcc ('YUYV', 'MJPG', 'Z16'); null when the listing came from ffmpeg, which does not print it. */
  readonly fourcc: string | null;
  /** ffmpeg's -input_format name ('yuyv422', 'mjpeg'); null when ffmpeg cannot capture this format. */
  readonly pixelFormat: string | null;
  readonly description: string;
  readonly compressed: boolean;
  readonly emulated: boolean;
  readonly sizes: readonly FrameSize[];
}
