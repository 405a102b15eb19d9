import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { ModuleError } from '../../../src/errors/codes.js';
import { resolveSessionPaths } from '../../../src/storage/session_paths.js';
import { readTimingCsv } from '../../../src/storage/timing_reader.js';
import { DefaultTrialRecorderFactory } from '../../../src/storage/trial_recorder.js';
import type {
  TrialSummary, VideoFileSummary, VideoWriter, VideoWriterEvents, VideoWriterFactory, VideoWriterOptions,
} from '../../../src/storage/types.js';
import { buildFrames, regularTimestamps } from '../../helpers/jpeg_frames.js';
import { ManualClock, passthroughWriterOptions, trialContext } from '../../helpers/trial_fixtures.js';
import type { CapturedFrame } from '../../../src/camera_core/types.js';

/** A writer that accepts frames unless told to refuse, and commits only when the test says. */
class FakeWriter extends EventEmitter<VideoWriterEvents> implements VideoWriter {
  readonly passthrough = true;
  readonly timebase = { num: 1, den: 1000 } as const;
  refuseNext = 0;
  accepted = 0;
  committed = 0;
  dropped = 0;
  constructor(readonly path: string) {
    super();
  }
  get queueDepth(): number {
    return this.accepted - this.committed;
  }
  write(_frame: CapturedFrame): number | null {
    if (this.refuseNext > 0) {
      this.refuseNext -= 1;
      this.dropped += 1;
      return null;
    }
    this.accepted += 1;
    return (this.accepted - 1) * 10;
  }
  commitAll(): void {
    this.committed = this.accepted;
    this.emit('committed', this.committed);
  }
  async close(): Promise<VideoFileSummary> {
    this.commitAll();
    return { path: this.path, frames: this.committed, bytes: 0, framesDropped: this.dropped };
  }
}

class FakeWriterFactory implements VideoWriterFactory {
  readonly writers: FakeWriter[] = [];
  async open(options: VideoWriterOptions): Promise<VideoWriter> {
    await options.file?.close(); // the reserved file stays empty: the fake writes nothing
    const writer = new FakeWriter(options.path);
    this.writers.push(writer);
    return writer;
  }
}

describe('TrialRecorder (fake video writer)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trial-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function start(factory: FakeWriterFactory, clock = new ManualClock()) {
    return new DefaultTrialRecorderFactory(factory, clock, { timingFlushMs: 10_000 }).start({
      context: trialContext(),
      paths: resolveSessionPaths({ basePath: dir, sessionPrefix: 's', cameraLabel: 'cam' }),
      writer: passthroughWriterOptions,
    });
  }

  const frames = (count: number, dropped: number[] = []): CapturedFrame[] =>
    buildFrames([Buffer.from('jpeg')], regularTimestamps(count, 1000 / 30), dropped);

  it('puts source gaps and refused frames in dropped_before and the totals', async () => {
    const factory = new FakeWriterFactory();
    const trial = await start(factory);
    const writer = factory.writers[0]!;
    const input = frames(6, [5, 0, 2, 1, 0, 0]);
    trial.onFrame(input[0]!); // its gap of 5 predates the trial
    trial.onFrame(input[1]!);
    writer.refuseNext = 1;
    trial.onFrame(input[2]!); // refused, with a gap of 2 before it
    trial.onFrame(input[3]!); // gap 1, after the refused frame
    trial.onFrame(input[4]!);
    trial.onFrame(input[5]!);
    expect(trial.stats()).to.include({ framesRecorded: 5, framesDropped: 4, nextFrameIndex: 6 });
    const summary = await trial.finish('command');
    const rows = await readTimingCsv(trial.paths.timingPath);
    expect(rows.map((r) => r.droppedBefore)).to.deep.equal([0, 0, 4, 0, 0]);
    expect(rows.map((r) => r.frameIndex)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(summary).to.include({ framesRecorded: 5, framesDropped: 4, reason: 'command' });
  });

  it('writes a row only once its frame is committed', async () => {
    const factory = new FakeWriterFactory();
    const trial = await new DefaultTrialRecorderFactory(factory, new ManualClock(), { timingFlushMs: 10 }).start({
      context: trialContext(),
      paths: resolveSessionPaths({ basePath: dir, sessionPrefix: 's', cameraLabel: 'cam' }),
      writer: passthroughWriterOptions,
    });
    const lines = (): number => readFileSync(trial.paths.timingPath, 'utf8').trim().split('\n').length;
    for (const frame of frames(3)) trial.onFrame(frame);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(lines(), 'header only').to.equal(1);
    factory.writers[0]!.commitAll();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(lines()).to.equal(4);
    await trial.finish('command');
  });

  it('finishes with encoder_failed and emits failed when the writer errors; uncommitted rows are dropped', async () => {
    const factory = new FakeWriterFactory();
    const trial = await start(factory);
    const writer = factory.writers[0]!;
    for (const frame of frames(4)) trial.onFrame(frame);
    writer.commitAll();
    for (const frame of frames(3)) trial.onFrame(frame);
    writer.close = async () => ({ path: writer.path, frames: 4, bytes: 0, framesDropped: 0 });
    const failed = new Promise<[ModuleError, TrialSummary]>((resolve) => trial.once('failed', (error, summary) => resolve([error, summary])));
    writer.emit('error', new ModuleError('ENCODER_FAILED', 'Disk full'));
    const [error, summary] = await failed;
    expect(error.kind).to.equal('ENCODER_FAILED');
    expect(summary.reason).to.equal('encoder_failed');
    expect(summary.framesRecorded).to.equal(4);
    expect(summary.framesDropped).to.equal(3);
    expect(trial.active).to.equal(false);
    expect(await readTimingCsv(trial.paths.timingPath)).to.have.length(4);
    expect(trial.stats()).to.include({ framesRecorded: 4, nextFrameIndex: 5 });

    const resumed = await trial.resume();
    expect(resumed.nextFrameIndex).to.equal(5);
    expect(path.basename(resumed.videoPath)).to.equal('s_cam_part2.mkv');
    for (const frame of frames(2)) trial.onFrame(frame);
    await trial.finish('command');
    const rows = await readTimingCsv(trial.paths.timingPath);
    expect(rows.map((r) => r.frameIndex)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(rows.map((r) => r.videoFile)).to.deep.equal(['s_cam.mkv', 's_cam.mkv', 's_cam.mkv', 's_cam.mkv', 's_cam_part2.mkv', 's_cam_part2.mkv']);
  });

  it('reports the record rate over the last second and the elapsed time', async () => {
    const factory = new FakeWriterFactory();
    const clock = new ManualClock();
    const trial = await start(factory, clock);
    const input = frames(45).map((frame) => ({ ...frame, arrival: { ...frame.arrival, monoNs: clock.now.monoNs + frame.sensorTimestampNs - 5_000_000_000n } }));
    for (const frame of input) trial.onFrame(frame);
    clock.now = { monoNs: input.at(-1)!.arrival.monoNs, unixNs: clock.now.unixNs };
    const stats = trial.stats();
    expect(stats.recordFps).to.be.within(30, 31);
    expect(stats.elapsedSeconds).to.be.closeTo(44 / 30, 0.01);
    expect(stats.currentFile).to.equal(trial.paths.videoPath);
    await trial.finish('command');
  });
});
