import { Readable } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import { ModuleError, toModuleError } from '../errors/codes.js';
import type { FfmpegInfo } from '../ffmpeg/types.js';
import type { OwnedProcess, ProcessExit, ProcessRegistry } from '../process/owned_process.js';
import { lastLine } from '../process/run_command.js';
import type { Clock } from '../time/clock.js';
import { formatDeviceSpec } from './device_spec.js';
import { FrameAssembler } from './frame_assembler.js';
import { DEFAULT_STALL_TIMEOUT_MS, FrameWatchdog } from './frame_watchdog.js';
import { FrameGapCounter, PtsToNanoseconds } from './frame_timing.js';
import { FramecrcParser } from './framecrc_parser.js';
import { buildCaptureArgs } from './input_args.js';
import { monoMs, RateMeter } from './rate_meter.js';
import { SourceClockContinuity, type CaptureTimestampAdjuster } from './source_clock_continuity.js';
import type {
  CaptureEvents,
  CaptureExit,
  CaptureMode,
  CaptureRequest,
  CaptureSource,
  CaptureSourceFactory,
  CaptureStats,
  CapturedFrame,
  DeviceSpec,
} from './types.js';

export interface FfmpegCaptureDeps {
  readonly registry: ProcessRegistry;
  readonly ffmpeg: FfmpegInfo;
  readonly clock: Clock;
  /** Continues synthetic and replay timestamps from the device's previous capture; null for real cameras. */
  readonly timestamps?: CaptureTimestampAdjuster | null;
}

const STOP_OPTIONS = { stdinQuit: 'q', gracefulMs: 2000, termMs: 2000 } as const;
/** A child that did not open its device in time may be stuck before reading stdin: skip 'q'. */
const ABORT_OPTIONS = { termMs: 2000 } as const;
/** A stalled child is of no use any more and may not react to SIGTERM (node writes the files): kill it at once. */
const STALL_OPTIONS = { termMs: 0 } as const;

interface PendingStart {
  resolve(): void;
  reject(error: ModuleError): void;
}

/**
 * One ffmpeg child turning a camera into frames. ffmpeg writes each MJPEG packet to fd 1
 * and a framecrc line (pts, size) for it to fd 3; the two are paired by size, so frame
 * boundaries are exact without looking inside the JPEG data.
 *
 * sensorTimestampNs is the packet pts kept by -copyts. On V4L2 (`-ts default`) that is the
 * kernel's buffer timestamp in microseconds on CLOCK_MONOTONIC, the clock hrtime reads, so
 * it is directly comparable with arrival.monoNs (record_time_mono): their difference is
 * the delay from exposure end to node. For synthetic and replay sources it is the
 * source's own pts, starting near 0 for the device's first capture; a later capture of the
 * same device continues where the last one stopped plus the real time in between
 * (SourceClockContinuity), so a trial's timestamps never go back.
 *
 * `ended` is emitted exactly once when the child is gone: after stop() with requested
 * true, otherwise (crash, unplug, failed start, or no frame for about a second: the frame
 * watchdog ends the child and `reason` says so) with requested false.
 */
export class FfmpegCaptureSource extends EventEmitter<CaptureEvents> implements CaptureSource {
  readonly device: DeviceSpec;
  readonly mode: CaptureMode;
  private readonly startTimeoutMs: number;
  private readonly parser: FramecrcParser;
  private readonly assembler: FrameAssembler;
  private readonly gaps: FrameGapCounter;
  private readonly rate = new RateMeter();
  private toNanoseconds: PtsToNanoseconds | null = null;
  private proc: OwnedProcess | null = null;
  private exitHandled: Promise<void> = Promise.resolve();
  private startPromise: Promise<void> | null = null;
  private stopPromise: Promise<void> | null = null;
  private pendingStart: PendingStart | null = null;
  private startTimer: NodeJS.Timeout | null = null;
  private stopRequested = false;
  private startTimedOut = false;
  private protocolFailure: Error | null = null;
  private framesCaptured = 0;
  private readonly watchdog: FrameWatchdog;
  private stallReason: string | null = null;

  constructor(request: CaptureRequest, private readonly deps: FfmpegCaptureDeps) {
    super();
    this.device = request.device;
    this.mode = request.mode;
    this.startTimeoutMs = request.startTimeoutMs;
    this.watchdog = new FrameWatchdog(request.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, request.mode.fps, (reason) => this.onStall(reason));
    this.gaps = new FrameGapCounter(request.mode.fps);
    this.assembler = new FrameAssembler((pts, data) => this.onFrame(pts, data));
    this.parser = new FramecrcParser({
      timebase: (timebase) => {
        this.toNanoseconds = new PtsToNanoseconds(timebase);
      },
      packet: (pts, size) => this.assembler.addPacket(pts, size),
    });
  }

  start(): Promise<void> {
    this.startPromise ??= this.launch();
    return this.startPromise;
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  stats(): CaptureStats {
    return {
      framesCaptured: this.framesCaptured,
      framesMissing: this.gaps.totalMissing,
      fps: this.rate.rate(monoMs(this.deps.clock.sample().monoNs)),
    };
  }

  private launch(): Promise<void> {
    if (this.stopRequested) return Promise.reject(this.deviceFailed('capture was stopped before it started'));
    let args: string[];
    try {
      args = buildCaptureArgs(this.device, this.mode, this.deps.ffmpeg);
    } catch (err) {
      return Promise.reject(toModuleError(err, 'DEVICE_FAILED'));
    }
    return new Promise<void>((resolve, reject) => {
      let proc: OwnedProcess;
      try {
        proc = this.deps.registry.start(this.deps.ffmpeg.path, args, {
          stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
          windowsHide: true,
        });
      } catch (err) {
        reject(this.deviceFailed(`ffmpeg could not be started (${toModuleError(err).message})`));
        return;
      }
      this.pendingStart = { resolve, reject };
      this.proc = proc;
      this.exitHandled = proc.exited.then((exit) => this.onExit(exit));
      this.startTimer = setTimeout(this.onStartTimeout, this.startTimeoutMs);
      try {
        this.attach(proc);
      } catch (err) {
        this.failProtocol(err);
      }
    });
  }

  private async shutdown(): Promise<void> {
    this.stopRequested = true;
    this.watchdog.stop();
    if (!this.proc) return;
    await this.proc.stop(STOP_OPTIONS);
    await this.exitHandled;
  }

  private attach(proc: OwnedProcess): void {
    const streams = frameStreams(proc);
    if (!streams) throw new Error('ffmpeg child was started without pipes on fd 1 and fd 3');
    const { bytes, packets } = streams;
    bytes.on('data', this.onBytes);
    packets.on('data', this.onPacketLines);
    bytes.on('error', this.onStreamError);
    packets.on('error', this.onStreamError);
  }

  private detach(proc: OwnedProcess): void {
    const streams = frameStreams(proc);
    if (!streams) return;
    const { bytes, packets } = streams;
    bytes.off('data', this.onBytes);
    packets.off('data', this.onPacketLines);
    bytes.off('error', this.onStreamError);
    packets.off('error', this.onStreamError);
  }

  private readonly onBytes = (chunk: Buffer): void => {
    this.assembler.addBytes(chunk);
  };

  private readonly onPacketLines = (chunk: Buffer): void => {
    try {
      this.parser.push(chunk);
    } catch (err) {
      this.failProtocol(err);
    }
  };

  private readonly onStreamError = (err: Error): void => {
    this.failProtocol(err);
  };

  /** Answers at once: a host waits for device_ready or device_error, not for a stuck child to die. */
  private readonly onStartTimeout = (): void => {
    this.startTimer = null;
    this.startTimedOut = true;
    const said = lastLine(this.proc?.stderr ?? '');
    this.settleStart(new ModuleError('DEVICE_FAILED', `Cannot capture from ${formatDeviceSpec(this.device)}: no frame within ${this.startTimeoutMs} ms${said ? `: ${said}` : ''}`));
    void this.proc?.stop(ABORT_OPTIONS);
  };

  private onFrame(pts: bigint, data: Buffer): void {
    const arrival = this.deps.clock.sample();
    const toNanoseconds = this.toNanoseconds;
    if (!toNanoseconds) {
      this.failProtocol(new Error('ffmpeg sent a packet before its timebase header'));
      return;
    }
    const sourceNs = toNanoseconds.convert(pts);
    const sensorTimestampNs = this.deps.timestamps ? this.deps.timestamps.adjust(sourceNs, arrival.monoNs) : sourceNs;
    const frame: CapturedFrame = {
      captureIndex: this.framesCaptured,
      data,
      sensorTimestampNs,
      arrival,
      droppedBefore: this.gaps.observe(sensorTimestampNs),
    };
    this.framesCaptured += 1;
    this.rate.record(monoMs(arrival.monoNs));
    this.emit('frame', frame);
    this.watchdog.frame();
    if (this.pendingStart) this.settleStart(null);
  }

  /** Sizes and bytes can no longer be paired: report it and end the capture. */
  private failProtocol(err: unknown): void {
    if (this.protocolFailure) return;
    this.protocolFailure = err instanceof Error ? err : new Error(String(err));
    this.emit('error', new ModuleError('DEVICE_FAILED', `Capture of ${formatDeviceSpec(this.device)} broke: ${this.protocolFailure.message}`, { cause: err }));
    void this.proc?.stop(STOP_OPTIONS);
  }

  /** The camera stopped delivering frames while ffmpeg lives on: end the child; `ended` says why. */
  private onStall(reason: string): void {
    if (this.stopRequested || !this.proc) return;
    this.stallReason = reason;
    void this.proc.stop(STALL_OPTIONS);
  }

  private onExit(exit: ProcessExit): void {
    this.watchdog.stop();
    if (this.proc) this.detach(this.proc);
    if (this.pendingStart) this.settleStart(this.deviceFailed(this.startFailureReason(exit), exit));
    this.reportLeftovers(exit);
    const ended: CaptureExit = {
      code: exit.code,
      signal: exit.signal,
      stderrTail: exit.stderrTail,
      requested: this.stopRequested,
      ...(this.stallReason ? { reason: this.stallReason } : {}),
    };
    this.emit('ended', ended);
  }

  private settleStart(error: ModuleError | null): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
    const pending = this.pendingStart;
    this.pendingStart = null;
    if (error) pending?.reject(error);
    else pending?.resolve();
  }

  private startFailureReason(exit: ProcessExit): string {
    if (exit.spawnError) return `ffmpeg could not be started (${exit.spawnError.message})`;
    if (this.protocolFailure) return this.protocolFailure.message;
    if (this.startTimedOut) return `no frame within ${this.startTimeoutMs} ms`;
    if (this.stopRequested) return 'capture was stopped before the first frame';
    const how = exit.code === null ? `was killed by ${exit.signal ?? 'a signal'}` : `exited with code ${exit.code}`;
    return `ffmpeg ${how} before the first frame`;
  }

  /** After a clean exit every announced packet must have been delivered whole. */
  private reportLeftovers(exit: ProcessExit): void {
    if (exit.code !== 0 || this.protocolFailure) return;
    const bytes = this.assembler.pendingBytes;
    const packets = this.assembler.pendingPackets;
    const lineBytes = this.parser.pendingBytes;
    if (bytes === 0 && packets === 0 && lineBytes === 0) return;
    this.emit(
      'error',
      new ModuleError(
        'DEVICE_FAILED',
        `Capture of ${formatDeviceSpec(this.device)} ended with unpaired data: ${bytes} bytes, ${packets} packets, ${lineBytes} bytes of an unfinished framecrc line`,
      ),
    );
  }

  private deviceFailed(reason: string, exit?: ProcessExit): ModuleError {
    const tail = exit?.stderrTail.trim() ?? '';
    const message = `Camera ${formatDeviceSpec(this.device)} could not be opened: ${reason}${tail ? `; ffmpeg said: ${tail}` : ''}`;
    return new ModuleError('DEVICE_FAILED', message, {
      data: exit ? { code: exit.code, signal: exit.signal, stderrTail: exit.stderrTail } : undefined,
    });
  }
}

function frameStreams(proc: OwnedProcess): { bytes: Readable; packets: Readable } | null {
  const bytes = proc.child.stdout;
  const packets = proc.child.stdio[3];
  return bytes && packets instanceof Readable ? { bytes, packets } : null;
}

export class FfmpegCaptureSourceFactory implements CaptureSourceFactory {
  /** Per device, where the last capture's timestamps stood: captures of one device come from this factory. */
  private readonly continuity = new SourceClockContinuity();

  constructor(
    private readonly registry: ProcessRegistry,
    private readonly ffmpeg: FfmpegInfo,
    private readonly clock: Clock,
  ) {}

  create(request: CaptureRequest): CaptureSource {
    return new FfmpegCaptureSource(request, {
      registry: this.registry, ffmpeg: this.ffmpeg, clock: this.clock, timestamps: this.continuity.forCapture(request.device),
    });
  }
}
