import { EventEmitter } from 'eventemitter3';
import type {
  CameraCapabilities, CameraIdentity, CaptureEvents, CaptureMode, CaptureRequest, CaptureSource,
  CaptureSourceFactory, CaptureStats, CapturedFrame, DeviceProbe, DeviceSpec,
} from '../../src/camera_core/types.js';
import type { VideoFileSummary, VideoWriter, VideoWriterEvents, VideoWriterFactory, VideoWriterOptions } from '../../src/storage/types.js';
import type { FfmpegInfo } from '../../src/ffmpeg/types.js';
import { ModuleError } from '../../src/errors/codes.js';

export const FAKE_FFMPEG: FfmpegInfo = {
  path: '/fake/ffmpeg', version: '5.1-fake', major: 5, minor: 1, source: 'config',
  capabilities: { fpsModeFlag: '-fps_mode', hasTeeMuxer: true, hasLibx264: true, hasMjpegEncoder: true, hasV4l2: true },
};

/** A capture source driven by the test: frames arrive when emitFrame() is called. */
export class FakeCaptureSource extends EventEmitter<CaptureEvents> implements CaptureSource {
  captured = 0;
  started = false;
  stopped = false;
  /** Added to every frame's times: a camera reopened after an outage delivers later frames. */
  timeOffsetNs = 0n;
  constructor(readonly device: DeviceSpec, readonly mode: CaptureMode, private readonly failWith: ModuleError | null) {
    super();
  }

  async start(): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.started = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  stats(): CaptureStats {
    return { framesCaptured: this.captured, framesMissing: 0, fps: this.mode.fps };
  }

  emitFrame(droppedBefore = 0): CapturedFrame {
    const index = this.captured;
    this.captured += 1;
    const interval = BigInt(Math.round(1e9 / this.mode.fps));
    const at = BigInt(index) * interval + this.timeOffsetNs;
    const frame: CapturedFrame = {
      captureIndex: index,
      data: Buffer.from([0xff, 0xd8, index & 0xff, 0xff, 0xd9]),
      sensorTimestampNs: 1_000_000_000n + at,
      arrival: { monoNs: 2_000_000_000n + at, unixNs: 1_700_000_000_000_000_000n + at },
      droppedBefore,
    };
    this.emit('frame', frame);
    return frame;
  }

  /** What an unplugged camera looks like to the runtime. */
  die(): void {
    this.emit('ended', { code: 1, signal: null, stderrTail: 'No such device', requested: false });
  }
}

export class FakeCaptureFactory implements CaptureSourceFactory {
  readonly created: FakeCaptureSource[] = [];
  failNext: ModuleError | null = null;

  create(request: CaptureRequest): FakeCaptureSource {
    const source = new FakeCaptureSource(request.device, request.mode, this.failNext);
    this.failNext = null;
    this.created.push(source);
    return source;
  }

  get last(): FakeCaptureSource {
    const last = this.created.at(-1);
    if (!last) throw new Error('no capture created');
    return last;
  }
}

export class FakeDeviceProbe implements DeviceProbe {
  capabilities: CameraCapabilities = {
    modes: [{ width: 640, height: 480, fps: 30, pixel_format: 'mjpeg' }],
    controls: [{ name: 'brightness', type: 'int', min: 0, max: 255, step: 1, default: 128, value: 128 }],
  };
  readonly controlsSet: Array<{ control: string; value: number | boolean | string }> = [];
  /** False while the camera is unplugged: locate() finds nothing. */
  present = true;
  /** Where the camera comes back (another /dev/videoN after a re-plug); null: where it was. */
  relocatedPath: string | null = null;
  locateCalls = 0;

  async probe(_identity: CameraIdentity): Promise<CameraCapabilities> {
    return this.capabilities;
  }

  async setControl(_identity: CameraIdentity, control: string, value: number | boolean | string): Promise<void> {
    const known = this.capabilities.controls.find((c) => c.name === control);
    if (!known) throw new ModuleError('INVALID_CONTROL', `Unknown control '${control}'`, { field: 'control' });
    this.controlsSet.push({ control, value });
  }

  async locate(identity: CameraIdentity): Promise<CameraIdentity | null> {
    this.locateCalls += 1;
    if (!this.present) return null;
    return this.relocatedPath === null ? identity : { ...identity, devicePath: this.relocatedPath };
  }
}

/** Keeps frames in memory; pts in ms from the first frame, as the Matroska writer does. */
export class MemoryVideoWriter extends EventEmitter<VideoWriterEvents> implements VideoWriter {
  readonly passthrough = true;
  readonly timebase = { num: 1, den: 1000 };
  readonly frames: CapturedFrame[] = [];
  private first: bigint | null = null;
  closed = false;
  constructor(readonly path: string) {
    super();
  }

  write(frame: CapturedFrame): number {
    this.first ??= frame.sensorTimestampNs;
    this.frames.push(frame);
    queueMicrotask(() => this.emit('committed', this.frames.length));
    return Number((frame.sensorTimestampNs - this.first) / 1_000_000n);
  }

  get queueDepth(): number {
    return 0;
  }

  async close(): Promise<VideoFileSummary> {
    this.closed = true;
    return { path: this.path, frames: this.frames.length, bytes: this.frames.reduce((n, f) => n + f.data.length, 0), framesDropped: 0 };
  }
}

export class MemoryWriterFactory implements VideoWriterFactory {
  readonly writers: MemoryVideoWriter[] = [];
  readonly options: VideoWriterOptions[] = [];
  /** When set, open() waits for it: a slow disk creating the file. */
  gate: Promise<void> | null = null;
  async open(options: VideoWriterOptions): Promise<MemoryVideoWriter> {
    if (this.gate) await this.gate;
    await options.file?.close(); // the reserved file stays empty: frames are kept in memory
    const writer = new MemoryVideoWriter(options.path);
    this.options.push(options);
    this.writers.push(writer);
    return writer;
  }
}
