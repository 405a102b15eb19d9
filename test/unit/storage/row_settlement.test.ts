import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'eventemitter3';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import { ModuleError } from '../../../src/errors/codes.js';
import { resolveSessionPaths } from '../../../src/storage/session_paths.js';
import { readTimingCsv } from '../../../src/storage/timing_reader.js';
import { DefaultTrialRecorderFactory } from '../../../src/storage/trial_recorder.js';
import type { TrialSummary, VideoFileSummary, VideoWriter, VideoWriterEvents, VideoWriterFactory, VideoWriterOptions } from '../../../src/storage/types.js';
import { buildFrames, regularTimestamps } from '../../helpers/jpeg_frames.js';
import { ManualClock, passthroughWriterOptions, trialContext } from '../../helpers/trial_fixtures.js';

/** An encoder that dies: it reported in the file what was there, and the file turns out to hold `inFileAtDeath`. */
class DyingEncoder extends EventEmitter<VideoWriterEvents> implements VideoWriter {
  readonly passthrough = false;
  readonly timebase = { num: 1, den: 1000 } as const;
  sent = 0;
  constructor(readonly path: string, private readonly inFileAtDeath: number) { super(); }
  get queueDepth(): number { return 0; }
  write(_frame: CapturedFrame): number {
    this.sent += 1;
    return (this.sent - 1) * 40;
  }
  /** The frames a whole cluster or fragment on disk verifiably holds. */
  reportInFile(count: number): void { this.emit('committed', count); }
  async close(): Promise<VideoFileSummary> { throw new ModuleError('ENCODER_FAILED', 'ffmpeg was killed by SIGKILL'); }
  async countFramesInFile(): Promise<number> { return this.inFileAtDeath; }
}

describe('timing rows of a trial whose encoder died: exactly the frames in the file, nothing ever taken back', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'settle-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const { inFile, why } of [
    { inFile: 25, why: 'the file holds just what was reported' },
    { inFile: 32, why: 'a last cluster reached the file as ffmpeg died' },
  ]) {
    it(`keeps rows 1..${inFile} when ${why}; rows of the other frames never reach the disk`, async () => {
      const encoders: DyingEncoder[] = [];
      const factory: VideoWriterFactory = {
        open: async (options: VideoWriterOptions) => {
          await options.file?.close(); // the reserved file stays empty: the fake writes nothing
          const encoder = new DyingEncoder(options.path, inFile);
          encoders.push(encoder);
          return encoder;
        },
      };
      const trial = await new DefaultTrialRecorderFactory(factory, new ManualClock(), { timingFlushMs: 5 }).start({
        context: trialContext(), paths: resolveSessionPaths({ basePath: dir, sessionPrefix: 's', cameraLabel: 'cam' }),
        writer: { ...passthroughWriterOptions, codec: 'h264' },
      });
      const sizes: number[] = [];
      const watchSize = setInterval(() => sizes.push(statSync(trial.paths.timingPath).size), 2);
      try {
        for (const frame of buildFrames([Buffer.from('jpeg')], regularTimestamps(40, 40))) trial.onFrame(frame);
        encoders[0]!.reportInFile(25);
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(await readTimingCsv(trial.paths.timingPath), 'only frames known to be in the file').to.have.length(25);
        const failed = new Promise<TrialSummary>((resolve) => trial.once('failed', (_error, summary) => resolve(summary)));
        encoders[0]!.emit('error', new ModuleError('ENCODER_FAILED', 'ffmpeg was killed by SIGKILL'));
        const summary = await failed;
        expect(summary).to.include({ framesRecorded: inFile, framesDropped: 40 - inFile, reason: 'encoder_failed' });
        expect(summary.durationSeconds, `${inFile} frames 40 ms apart`).to.be.closeTo(inFile * 0.04, 1e-9);
        const rows = await readTimingCsv(trial.paths.timingPath);
        expect(rows.map((r) => r.frameIndex)).to.deep.equal(Array.from({ length: inFile }, (_, i) => i + 1));
        expect(trial.stats().nextFrameIndex).to.equal(inFile + 1);
      } finally {
        clearInterval(watchSize);
      }
      sizes.push(statSync(trial.paths.timingPath).size);
      expect(sizes, 'the timing file never shrinks').to.deep.equal([...sizes].sort((a, b) => a - b));
      await trial.seal();
    });
  }
});
