import { access, lstat, stat, type FileHandle } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import type { CapturedFrame } from '../../camera_core/types.js';
import { ModuleError } from '../../errors/codes.js';
import type { FfmpegInfo } from '../../ffmpeg/types.js';
import type { OwnedProcess, ProcessExit, ProcessRegistry } from '../../process/owned_process.js';
import { APP_NAME, MatroskaMuxer } from '../mkv/matroska_muxer.js';
import { PtsClock } from '../mkv/pts_clock.js';
import type { VideoFileSummary, VideoWriter, VideoWriterEvents, VideoWriterOptions } from '../types.js';
import { ProgressParser, type ProgressReport } from './progress_parser.js';
import { PROGRESS_FD, transcodeArgs } from './transcode_args.js';
import { countVideoPackets } from './packet_count.js';
import { MuxedFrameCounter } from './muxed_frames.js';
import { PipedOutput } from './piped_output.js';
import { isAppendOnly } from '../sinks/append_only_file.js';

export interface TranscodeWriterOptions extends VideoWriterOptions {
  /** Time ffmpeg gets after stdin closes to encode what is left and finalize. */
  readonly finalizeTimeoutMs?: number;
}

const DEFAULT_FINALIZE_MS = 10_000;
const TERM_MS = 2000;

/**
 * Re-encodes through one ffmpeg child: node writes its own Matroska stream (pts assigned
 * here) into ffmpeg's stdin, ffmpeg scales and encodes with -copyts and passthrough
 * timing, so the file's pts are exactly the ones write() returned. `committed` reports
 * only frames verifiably in the file (MuxedFrameCounter, on each `-progress` report): the
 * encoder's own count runs a cluster or fragment ahead of the file.
 *
 * Into an append-only (encrypted) file ffmpeg writes Matroska to its stdout, which node
 * appends to the file (PipedOutput): no plaintext file exists, and frames count as in the
 * file only once their cluster is inside the durable (fully written) segments.
 */
export class TranscodeWriter extends EventEmitter<VideoWriterEvents> implements VideoWriter {
  readonly passthrough = false;
  readonly timebase = { num: 1, den: 1000 } as const;
  private readonly pts = new PtsClock();
  private readonly stdin: Writable;
  private framesSent = 0;
  private framesInPipe = 0;
  private framesCommitted = 0;
  private framesDropped = 0;
  private failure: ModuleError | null = null;
  private closing: Promise<VideoFileSummary> | null = null;
  private readonly muxed: MuxedFrameCounter;
  /** A scan of the file under way, and whether another report asked for one meanwhile. */
  private scanning: Promise<void> | null = null;
  private rescan = false;

  private constructor(
    readonly path: string,
    private readonly proc: OwnedProcess,
    private readonly muxer: MatroskaMuxer,
    private readonly queueMaxFrames: number,
    private readonly finalizeTimeoutMs: number,
    private readonly countPackets: () => Promise<number>,
    container: 'matroska' | 'mp4',
    private readonly piped: PipedOutput | null,
  ) {
    super();
    this.muxed = new MuxedFrameCounter(piped ?? path, container);
    const { stdin } = proc.child;
    if (stdin === null) throw new ModuleError('INTERNAL', 'ffmpeg child has no stdin');
    this.stdin = stdin;
    const progress = proc.child.stdio[PROGRESS_FD] as Readable | null | undefined;
    const parser = new ProgressParser((report) => this.onProgress(report));
    progress?.on('data', (chunk: Buffer) => parser.push(chunk));
    void proc.exited.then((exit) => this.onExit(exit));
  }

  /** Starts ffmpeg and sends the stream header; rejects with ENCODER_FAILED if ffmpeg cannot start. */
  static async open(options: TranscodeWriterOptions, ffmpeg: FfmpegInfo, registry: ProcessRegistry): Promise<TranscodeWriter> {
    const reserved = options.file;
    const appendTo = reserved !== undefined && isAppendOnly(reserved) ? reserved : null;
    if (reserved === undefined) await refuseExisting(options.path);
    else if (!isAppendOnly(reserved)) await handOverReserved(reserved, options.path);
    const args = transcodeArgs(ffmpeg, {
      outputPath: appendTo === null ? options.path : 'pipe:1', recordMode: options.recordMode, codec: options.codec,
      jpegQuality: options.jpegQuality, h264Crf: options.h264Crf, fillReserved: options.file !== undefined, toStdout: appendTo !== null,
    });
    const proc = registry.start(ffmpeg.path, args, { stdio: ['pipe', appendTo === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    // Attached before the child can write: its output must reach the file from the first byte.
    const piped = appendTo === null ? null : new PipedOutput(requireStdout(proc), appendTo);
    try {
      await spawned(proc);
    } catch (err) {
      // No child, no output: end the pipe so the file is closed (it is removed by the caller).
      proc.child.stdout?.destroy();
      await piped?.outcome();
      throw err;
    }
    const { width, height, fps } = options.captureMode;
    const muxer = new MatroskaMuxer({ width, height, fps, codecId: 'V_MJPEG' }, { appName: APP_NAME, seekable: false });
    const container = options.codec === 'h264' && appendTo === null ? 'mp4' : 'matroska';
    const writer = new TranscodeWriter(
      options.path, proc, muxer, Math.max(1, options.queueMaxFrames), options.finalizeTimeoutMs ?? DEFAULT_FINALIZE_MS,
      () => countVideoPackets(registry, ffmpeg.path, options.path), container, piped,
    );
    writer.stdin.write(muxer.header);
    return writer;
  }

  get queueDepth(): number {
    return this.framesInPipe;
  }

  write(frame: CapturedFrame): number | null {
    if (this.failure !== null || this.closing !== null || this.framesInPipe >= this.queueMaxFrames) {
      this.framesDropped += 1;
      return null;
    }
    const pts = this.pts.next(frame.sensorTimestampNs);
    const buffers = this.muxer.block(pts, frame.data);
    this.framesInPipe += 1;
    this.framesSent += 1;
    // Corked, the block header and the frame leave in one writev on the pipe.
    this.stdin.cork();
    buffers.forEach((buffer, i) => {
      if (i < buffers.length - 1) this.stdin.write(buffer);
      else this.stdin.write(buffer, () => { this.framesInPipe -= 1; });
    });
    this.stdin.uncork();
    return pts;
  }

  close(): Promise<VideoFileSummary> {
    this.closing ??= this.finishFile();
    return this.closing;
  }

  /** ffmpeg reports frames encoded, not frames in the file: after it died, ask the file itself. */
  async countFramesInFile(): Promise<number> {
    if (this.proc.running) throw new ModuleError('INTERNAL', `ffmpeg is still writing ${this.path}`);
    if (this.piped !== null) {
      // Encrypted: ffprobe cannot read the file; its plaintext went through here. Complete clusters in durable segments.
      await this.piped.outcome();
      return Math.min(await this.muxed.count(), this.framesSent);
    }
    return Math.min(await this.countPackets(), this.framesSent);
  }

  /** Each report (about every 0.5 s) is the moment to look at what reached the file. */
  private onProgress(report: ProgressReport): void {
    if (report.frame === null || report.frame <= this.framesCommitted || this.closing !== null) return;
    if (this.scanning !== null) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scanFile().finally(() => {
      this.scanning = null;
    });
  }

  private async scanFile(): Promise<void> {
    do {
      this.rescan = false;
      let inFile: number;
      try {
        inFile = await this.muxed.count();
      } catch {
        // An unreadable file commits nothing more; close() or the exit handler say what went wrong.
        return;
      }
      this.commitUpTo(inFile);
    } while (this.rescan && this.closing === null);
  }

  private commitUpTo(frames: number): void {
    const count = Math.min(frames, this.framesSent);
    if (count <= this.framesCommitted) return;
    this.framesCommitted = count;
    this.emit('committed', count);
  }

  private onExit(exit: ProcessExit): void {
    if (this.closing !== null || this.failure !== null) return;
    this.failure = encoderExitError(this.path, exit);
    this.emit('error', this.failure);
  }

  private async finishFile(): Promise<VideoFileSummary> {
    // EOF on stdin is how ffmpeg learns the stream ended; it then flushes and finalizes.
    this.stdin.end();
    const exit = await exitWithin(this.proc, this.finalizeTimeoutMs) ?? await this.proc.stop({ termMs: TERM_MS });
    await this.scanning;
    // Piped: ffmpeg's last bytes and the file's last segment are written only after it exited.
    const outputFailure = this.piped === null ? null : await this.piped.outcome();
    if (outputFailure !== null) this.failure ??= outputFailure;
    await this.muxed.close().catch(() => undefined); // a read-only handle; nothing to lose
    // No file at all (ffmpeg died before its first packet) is a size of 0, not an error.
    const bytes = await stat(this.path).then((s) => s.size, () => 0);
    if (exit.code === 0 && this.failure === null) {
      // A clean exit means ffmpeg muxed every frame sent and finalized the file.
      this.commitUpTo(this.framesSent);
    } else {
      this.failure ??= encoderExitError(this.path, exit);
      throw this.failure;
    }
    return { path: this.path, frames: this.framesCommitted, bytes, framesDropped: this.framesDropped };
  }
}

function requireStdout(proc: OwnedProcess): Readable {
  const { stdout } = proc.child;
  if (stdout === null) throw new ModuleError('INTERNAL', 'ffmpeg child has no stdout');
  return stdout;
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await access(path).then(() => true, () => false);
  if (exists) throw new ModuleError('ENCODER_FAILED', `Refusing to overwrite existing recording ${path}`, { data: { path } });
}

/**
 * ffmpeg opens files by name, so it cannot take our handle: it may write over the reserved
 * file only while that name is still the very empty regular file we created (not a link,
 * not a replacement). Our handle is closed; ffmpeg's -y then truncates an empty file.
 */
async function handOverReserved(file: FileHandle, path: string): Promise<void> {
  try {
    const [own, named] = await Promise.all([file.stat(), lstat(path)]);
    const same = named.isFile() && named.dev === own.dev && named.ino === own.ino && named.size === 0;
    if (!same) {
      throw new ModuleError('STORAGE_UNAVAILABLE', `Refusing to write ${path}: the file reserved there was replaced`, {
        data: { path, reason: 'replaced' },
      });
    }
  } finally {
    await file.close();
  }
}

/** Resolves once the child runs; rejects with ENCODER_FAILED when it could not start. */
async function spawned(proc: OwnedProcess): Promise<void> {
  const started = new Promise<'spawned'>((resolve) => proc.child.once('spawn', () => resolve('spawned')));
  const outcome = await Promise.race([started, proc.exited]);
  if (outcome === 'spawned') return;
  throw new ModuleError('ENCODER_FAILED', `ffmpeg could not be started: ${outcome.spawnError?.message ?? outcome.stderrTail}`, {
    cause: outcome.spawnError ?? undefined,
  });
}

async function exitWithin(proc: OwnedProcess, ms: number): Promise<ProcessExit | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function encoderExitError(path: string, exit: ProcessExit): ModuleError {
  const tail = exit.stderrTail.trim().split('\n').slice(-3).join(' | ');
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const diskFull = /no space left/i.test(exit.stderrTail);
  const message = diskFull
    ? `Disk full: ffmpeg could not write ${path}`
    : `ffmpeg writing ${path} ${how}${tail ? `: ${tail}` : ''}`;
  return new ModuleError('ENCODER_FAILED', message, { data: { path, code: exit.code, signal: exit.signal, diskFull } });
}
