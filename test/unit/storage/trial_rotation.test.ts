import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import { ModuleError } from '../../../src/errors/codes.js';
import { NameReserver } from '../../../src/storage/name_reserver.js';
import { rotatedName, utcStamp } from '../../../src/storage/rotation.js';
import { resolveSessionPaths } from '../../../src/storage/session_paths.js';
import { readTimingCsv } from '../../../src/storage/timing_reader.js';
import { DefaultTrialRecorderFactory } from '../../../src/storage/trial_recorder.js';
import type {
  TrialRecorder, TrialRotation, TrialSummary, VideoFileSummary, VideoWriter, VideoWriterEvents, VideoWriterFactory, VideoWriterOptions,
} from '../../../src/storage/types.js';
import { buildFrames, regularTimestamps } from '../../helpers/jpeg_frames.js';
import { ManualClock, passthroughWriterOptions, trialContext } from '../../helpers/trial_fixtures.js';

/** Commits each frame right after write() returns; pts in ms from the file's first frame, as the Matroska writer does. */
class InstantWriter extends EventEmitter<VideoWriterEvents> implements VideoWriter {
  readonly passthrough = true;
  readonly timebase = { num: 1, den: 1000 } as const;
  readonly frames: CapturedFrame[] = [];
  private first: bigint | null = null;
  constructor(readonly path: string) {
    super();
  }
  get queueDepth(): number {
    return 0;
  }
  write(frame: CapturedFrame): number {
    this.first ??= frame.sensorTimestampNs;
    this.frames.push(frame);
    const count = this.frames.length;
    queueMicrotask(() => this.emit('committed', count));
    return Number((frame.sensorTimestampNs - this.first) / 1_000_000n);
  }
  async close(): Promise<VideoFileSummary> {
    return { path: this.path, frames: this.frames.length, bytes: 0, framesDropped: 0 };
  }
}

/** Opens at once, or holds every open until release() when told to. */
class GatedFactory implements VideoWriterFactory {
  readonly writers: InstantWriter[] = [];
  hold = false;
  failNext: ModuleError | null = null;
  private pending: Array<() => void> = [];

  async open(options: VideoWriterOptions): Promise<VideoWriter> {
    if (this.hold) await new Promise<void>((resolve) => this.pending.push(resolve));
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    await options.file?.close(); // the reserved file stays empty: the fake writes nothing
    const writer = new InstantWriter(options.path);
    this.writers.push(writer);
    return writer;
  }

  release(): void {
    this.hold = false;
    for (const resolve of this.pending.splice(0)) resolve();
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe('TrialRecorder rotation (fake video writer)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'rotation-unit-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function start(factory: GatedFactory, queueMaxFrames = 60): Promise<{ trial: TrialRecorder; rotations: TrialRotation[] }> {
    const trial = await new DefaultTrialRecorderFactory(factory, new ManualClock(), { timingFlushMs: 10 }).start({
      context: trialContext(),
      paths: resolveSessionPaths({ basePath: dir, sessionPrefix: 's', cameraLabel: 'cam' }),
      writer: { ...passthroughWriterOptions, queueMaxFrames },
      rotation: { intervalSeconds: 1 },
    });
    const rotations: TrialRotation[] = [];
    trial.on('rotated', (rotation) => rotations.push(rotation));
    return { trial, rotations };
  }

  // 25 fps: 40 ms apart exactly, so frame 26 (index 25) arrives exactly one second after the first.
  const frames = (count: number, dropped: number[] = []): CapturedFrame[] =>
    buildFrames([Buffer.from('jpeg')], regularTimestamps(count, 40), dropped);

  it('names a rotated file after its first frame, in UTC, and never reuses a name', async () => {
    const ns = BigInt(Date.UTC(2025, 0, 15, 14, 30, 5)) * 1_000_000n + 123_456_789n;
    expect(utcStamp(ns)).to.equal('20250115-143005');
    expect(rotatedName('s_trial001_cam', ns)(1)).to.equal('s_trial001_cam_20250115-143005');
    writeFileSync(path.join(dir, 'a_20250115-143005.mp4'), 'x');
    writeFileSync(path.join(dir, 'a_20250115-143005_2.mp4.enc'), 'x');
    const group = await new NameReserver().reserve({ dir, name: rotatedName('a', ns), endings: ['.mp4'] });
    await group.files[0]!.handle.close();
    expect(group.files[0]!.path).to.equal(path.join(dir, 'a_20250115-143005_3.mp4'));
  });

  it('moves to a new file at the frame a second after the first; frames arriving while it opens wait and go to it', async () => {
    const factory = new GatedFactory();
    const { trial, rotations } = await start(factory);
    const input = frames(45);
    factory.hold = true;
    for (const frame of input.slice(0, 35)) trial.onFrame(frame);
    expect(factory.writers[0]!.frames).to.have.length(25);
    expect(trial.stats().queueDepth, 'frames 26..35 wait for the new file').to.equal(10);
    factory.release();
    await settle();
    expect(factory.writers).to.have.length(2);
    expect(factory.writers[1]!.frames.map((f) => f.captureIndex)).to.deep.equal([25, 26, 27, 28, 29, 30, 31, 32, 33, 34]);
    for (const frame of input.slice(35)) trial.onFrame(frame);
    const summary = await trial.finish('command');

    const secondName = `${rotatedName('s_cam', input[25]!.arrival.unixNs)(1)}.mkv`;
    expect(rotations).to.deep.equal([{
      videoPath: path.join(dir, secondName), previousVideoPath: trial.paths.videoPath, previousFileFrames: 25, fileIndex: 2, nextFrameIndex: 26,
    }]);
    expect(summary).to.include({ framesRecorded: 45, framesDropped: 0 });
    expect(summary.videoFiles.map((f) => path.basename(f))).to.deep.equal(['s_cam.mkv', secondName]);
    const rows = await readTimingCsv(trial.paths.timingPath);
    expect(rows.map((r) => r.frameIndex)).to.deep.equal(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(rows.slice(24, 26).map((r) => [r.videoFile, r.videoPts])).to.deep.equal([['s_cam.mkv', 960], [secondName, 0]]);
    expect(rows.filter((r) => r.videoFile === secondName)).to.have.length(20);
  });

  it('counts frames beyond the backlog bound as dropped, in the totals and in dropped_before', async () => {
    const factory = new GatedFactory();
    const { trial } = await start(factory, 4);
    const input = frames(36);
    factory.hold = true;
    for (const frame of input.slice(0, 35)) trial.onFrame(frame);
    factory.release();
    await settle();
    trial.onFrame(input[35]!);
    const summary = await trial.finish('command');
    expect(factory.writers[1]!.frames.map((f) => f.captureIndex)).to.deep.equal([25, 26, 27, 28, 35]);
    expect(summary).to.include({ framesRecorded: 30, framesDropped: 6 });
    const rows = await readTimingCsv(trial.paths.timingPath);
    expect(rows.map((r) => r.droppedBefore)).to.deep.equal([...Array<number>(29).fill(0), 6]);
  });

  it('keeps the gap before the first frame of a rotated file (it is inside the trial)', async () => {
    const factory = new GatedFactory();
    const { trial } = await start(factory);
    const dropped = Array.from({ length: 30 }, (_, i) => (i === 25 ? 3 : 0));
    for (const frame of frames(30, dropped)) trial.onFrame(frame);
    await settle();
    const summary = await trial.finish('command');
    expect(summary.videoFiles).to.have.length(2);
    expect(summary.framesDropped).to.equal(3);
    const rows = await readTimingCsv(trial.paths.timingPath);
    expect(rows[25]).to.include({ frameIndex: 26, droppedBefore: 3 });
  });

  it('a pause while the next file opens still puts the waiting frames in it, and announces no rotation', async () => {
    const factory = new GatedFactory();
    const { trial, rotations } = await start(factory);
    factory.hold = true;
    for (const frame of frames(33)) trial.onFrame(frame);
    const finished = trial.finish('command');
    factory.release();
    const summary = await finished;
    expect(rotations).to.deep.equal([]);
    expect(summary.videoFiles).to.have.length(2);
    expect(summary.framesRecorded).to.equal(33);
    expect(await readTimingCsv(trial.paths.timingPath)).to.have.length(33);
  });

  it('fails the trial when the next file cannot be opened; the finished file and its rows stay', async () => {
    const factory = new GatedFactory();
    const { trial } = await start(factory);
    const failed = new Promise<[ModuleError, TrialSummary]>((resolve) => trial.once('failed', (error, summary) => resolve([error, summary])));
    factory.failNext = new ModuleError('ENCODER_FAILED', 'Disk full: no space left while creating x');
    for (const frame of frames(35)) trial.onFrame(frame);
    const [error, summary] = await failed;
    expect(error.message).to.match(/Disk full/);
    expect(summary).to.include({ reason: 'encoder_failed', framesRecorded: 25, framesDropped: 10 });
    expect(summary.videoFiles).to.have.length(1);
    expect(await readTimingCsv(trial.paths.timingPath)).to.have.length(25);
  });
});
