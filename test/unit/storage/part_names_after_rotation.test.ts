import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryWriterFactory } from '../../helpers/fakes.js';
import { resolveSessionPaths } from '../../../src/storage/session_paths.js';
import { DefaultTrialRecorderFactory } from '../../../src/storage/trial_recorder.js';
import { buildFrames, regularTimestamps } from '../../helpers/jpeg_frames.js';
import { ManualClock, passthroughWriterOptions, trialContext } from '../../helpers/trial_fixtures.js';

// docs/storage.md says a resume after rotations continues in _partN, N = files so far + 1: this checks that sentence.
describe('docs/storage.md: video part names after rotation and resume', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'part-names-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names a resume after two rotations _part4', async () => {
    const trial = await new DefaultTrialRecorderFactory(new MemoryWriterFactory(), new ManualClock(), { timingFlushMs: 10 }).start({
      context: trialContext(),
      paths: resolveSessionPaths({ basePath: dir, sessionPrefix: 's', cameraLabel: 'cam' }),
      writer: passthroughWriterOptions,
      rotation: { intervalSeconds: 1 },
    });
    // 25 fps for 2.5 s: files start at 0 s, 1 s and 2 s.
    const frames = buildFrames([Buffer.from('jpeg')], regularTimestamps(63, 40));
    let rotations = 0;
    trial.on('rotated', () => { rotations += 1; });
    for (const [index, frame] of frames.entries()) {
      trial.onFrame(frame);
      // Frames 25 and 50 open the next files: let each switch finish (real file I/O) before going on.
      const expected = Math.floor(index / 25);
      while (rotations < expected) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const paused = await trial.finish('command');
    expect(paused.videoFiles).to.have.length(3);
    const resumed = await trial.resume();
    expect(path.basename(resumed.videoPath)).to.equal('s_cam_part4.mkv');
    // One frame, so the resumed part is kept (a part no frame reached is removed).
    const later = buildFrames([Buffer.from('jpeg')], regularTimestamps(64, 40)).at(-1);
    if (later) trial.onFrame(later);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const summary = await trial.finish('command');
    expect(summary.videoFiles).to.have.length(4);
  });
});
