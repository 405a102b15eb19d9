import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import { ModuleError } from '../../../src/errors/codes.js';
import { resolveSessionPaths } from '../../../src/storage/session_paths.js';
import { readTimingCsv } from '../../../src/storage/timing_reader.js';
import { TimingCSVWriter } from '../../../src/storage/timing_writer.js';
import { DefaultTrialRecorderFactory } from '../../../src/storage/trial_recorder.js';
import type { TimingRow } from '../../../src/storage/timing_format.js';
import type { TrialSummary, VideoFileSummary, VideoWriter, VideoWriterEvents, VideoWriterFactory, VideoWriterOptions } from '../../../src/storage/types.js';
import { buildFrames, regularTimestamps } from '../../helpers/jpeg_frames.js';
import { ManualClock, passthroughWriterOptions, trialContext } from '../../helpers/trial_fixtures.js';

const row = (frameIndex: number): TimingRow => ({
  recordTime: { unixNs: 1_700_000_000_000_000_000n, monoNs: 1_000_000_000n },
  frameIndex, sensorTimestampNs: BigInt(frameIndex) * 40_000_000n, videoPts: frameIndex * 40, droppedBefore: 0, videoFile: 'a.mp4',
});

describe('taking back timing rows whose frames never reached the file', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'retract-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('drops rows still in memory and cuts rows already on disk, then writes on where it cut', async () => {
    const file = path.join(dir, 't.csv');
    const writer = await TimingCSVWriter.open(file, { trial: 1, deviceId: 'd', label: 'label, with comma', flushIntervalMs: 500 });
    for (let i = 1; i <= 6; i += 1) writer.add(row(i));
    writer.commit(6);
    await writer.flush();
    for (let i = 7; i <= 8; i += 1) writer.add(row(i));
    writer.commit(2);
    expect(await writer.retractCommitted(4)).to.equal(4);
    expect(writer.rowsWritten).to.equal(4);
    writer.add(row(5));
    writer.commit(1);
    await writer.close();
    const rows = await readTimingCsv(file);
    expect(rows.map((r) => r.frameIndex)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(readFileSync(file, 'utf8').includes('\0')).to.equal(false);
  });

  it('refuses to take back more rows than it tracks', async () => {
    const writer = await TimingCSVWriter.open(path.join(dir, 'u.csv'), { trial: 1, deviceId: 'd', label: null });
    writer.add(row(1));
    writer.commit(1);
    await writer.flush();
    let error: unknown = null;
    await writer.retractCommitted(2).catch((err: unknown) => { error = err; });
    expect(error).to.have.property('kind', 'INTERNAL');
    await writer.close();
  });

  it('a trial whose encoder died keeps exactly the rows of the frames the file holds', async () => {
    class DyingEncoder extends EventEmitter<VideoWriterEvents> implements VideoWriter {
      readonly passthrough = false;
      readonly timebase = { num: 1, den: 1000 } as const;
      sent = 0;
      constructor(readonly path: string) { super(); }
      get queueDepth(): number { return 0; }
      write(_frame: CapturedFrame): number {
        this.sent += 1;
        return (this.sent - 1) * 40;
      }
      /** ffmpeg said it encoded them all... */
      reportProgress(): void { this.emit('committed', this.sent); }
      async close(): Promise<VideoFileSummary> { throw new ModuleError('ENCODER_FAILED', 'ffmpeg was killed by SIGKILL'); }
      /** ...but only the first fragment reached the file. */
      async countFramesInFile(): Promise<number> { return 25; }
    }
    const encoders: DyingEncoder[] = [];
    const factory: VideoWriterFactory = {
      open: async (options: VideoWriterOptions) => {
        const encoder = new DyingEncoder(options.path);
        encoders.push(encoder);
        return encoder;
      },
    };
    const trial = await new DefaultTrialRecorderFactory(factory, new ManualClock(), { timingFlushMs: 5 }).start({
      context: trialContext(), paths: resolveSessionPaths({ basePath: dir, sessionPrefix: 's', cameraLabel: 'cam' }),
      writer: { ...passthroughWriterOptions, codec: 'h264' },
    });
    for (const frame of buildFrames([Buffer.from('jpeg')], regularTimestamps(40, 40))) trial.onFrame(frame);
    encoders[0]!.reportProgress();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await readTimingCsv(trial.paths.timingPath), 'rows written on the encoder\'s word').to.have.length(40);
    const failed = new Promise<TrialSummary>((resolve) => trial.once('failed', (_error, summary) => resolve(summary)));
    encoders[0]!.emit('error', new ModuleError('ENCODER_FAILED', 'ffmpeg was killed by SIGKILL'));
    const summary = await failed;
    expect(summary).to.include({ framesRecorded: 25, framesDropped: 15, reason: 'encoder_failed' });
    expect(summary.durationSeconds, '25 frames 40 ms apart, not the 40 sent').to.be.closeTo(1, 1e-9);
    const rows = await readTimingCsv(trial.paths.timingPath);
    expect(rows.map((r) => r.frameIndex)).to.deep.equal(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(trial.stats().nextFrameIndex).to.equal(26);
  });
});
