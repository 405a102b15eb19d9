import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { resolveSessionPaths } from '../../src/storage/session_paths.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { DefaultTrialRecorderFactory } from '../../src/storage/trial_recorder.js';
import { DefaultVideoWriterFactory } from '../../src/storage/video_writer_factory.js';
import type { TrialRecorder } from '../../src/storage/types.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';
import { probeFile } from '../helpers/ffprobe.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import { ManualClock, passthroughWriterOptions, trialContext } from '../helpers/trial_fixtures.js';

async function feed(trial: TrialRecorder, count: number, startNs: bigint): Promise<void> {
  const jpegs = await makeJpegFrames(30);
  for (const frame of buildFrames(jpegs, regularTimestamps(count, 1000 / 30, startNs))) {
    trial.onFrame(frame);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('TrialRecorder end to end (integration)', () => {
  let dir: string;
  let registry: ProcessRegistry;
  let factory: DefaultTrialRecorderFactory;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trial-int-'));
    registry = new ProcessRegistry(new NodeProcessSpawner());
    const writers = new DefaultVideoWriterFactory(await pathFfmpegInfo(), registry);
    factory = new DefaultTrialRecorderFactory(writers, new ManualClock(), { timingFlushMs: 50 });
  });
  afterEach(async () => {
    await registry.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps rows, packets and frames equal across a pause and resume', async () => {
    const paths = resolveSessionPaths({ basePath: dir, sessionPrefix: 'session_trial001', cameraLabel: 'Test Cam' });
    const trial = await factory.start({ context: trialContext(), paths, writer: passthroughWriterOptions });
    expect(trial.active).to.equal(true);
    const started = Papa.parse<Record<string, string>>(await readFile(paths.metadataPath, 'utf8'), { header: true, skipEmptyLines: true }).data[0]!;
    expect(started['end_time_unix']).to.equal('');
    expect(started['frames_total']).to.equal('');

    await feed(trial, 60, 5_000_000_000n);
    const first = await trial.finish('command');
    expect(first.framesRecorded).to.equal(60);
    expect(first.actualFps).to.be.closeTo(30, 0.01);
    expect(first.durationSeconds).to.be.closeTo(2, 0.01);

    const resumed = await trial.resume();
    expect(resumed).to.deep.equal({ videoPath: path.join(dir, 'session_trial001_test_cam_part2.mkv'), nextFrameIndex: 61 });
    await feed(trial, 30, 20_000_000_000n);
    const summary = await trial.finish('command');

    expect(summary.framesRecorded).to.equal(90);
    expect(summary.videoFiles).to.deep.equal([paths.videoPath, resumed.videoPath]);
    expect(summary.durationSeconds).to.be.closeTo(3, 0.01);
    const rows = await readTimingCsv(paths.timingPath);
    expect(rows.map((r) => r.frameIndex)).to.deep.equal(Array.from({ length: 90 }, (_, i) => i + 1));
    const firstProbe = await probeFile(paths.videoPath);
    const secondProbe = await probeFile(resumed.videoPath);
    expect(firstProbe.packets).to.have.length(60);
    expect(secondProbe.packets).to.have.length(30);
    expect(rows.slice(0, 60).map((r) => r.videoPts)).to.deep.equal(firstProbe.packets.map((p) => p.pts));
    expect(rows.slice(60).map((r) => r.videoPts)).to.deep.equal(secondProbe.packets.map((p) => p.pts));
    expect(new Set(rows.slice(0, 60).map((r) => r.videoFile))).to.deep.equal(new Set(['session_trial001_test_cam.mkv']));
    expect(new Set(rows.slice(60).map((r) => r.videoFile))).to.deep.equal(new Set(['session_trial001_test_cam_part2.mkv']));
    expect(rows[0]).to.include({ trial: 1, module: 'Cameras-USB2', deviceId: 'test-cam', label: 'baseline' });

    const metadata = Papa.parse<Record<string, string>>(await readFile(paths.metadataPath, 'utf8'), { header: true, skipEmptyLines: true }).data[0]!;
    expect(metadata).to.include({
      camera_id: 'synthetic:test-cam', frames_total: '90', frames_dropped: '0', trial: '1', session_id: 'session-1',
      video_files: 'session_trial001_test_cam.mkv;session_trial001_test_cam_part2.mkv', resolution_width: '320', pixel_format: 'mjpeg',
    });
    expect(metadata['end_time_unix']).to.match(/^\d+\.\d{6}$/);
  });

  it('reports the real path when the writer picks another container (h264 -> .mp4)', async function () {
    if (!(await pathFfmpegInfo()).capabilities.hasLibx264) this.skip();
    const paths = resolveSessionPaths({ basePath: dir, sessionPrefix: 's', cameraLabel: 'cam' });
    const trial = await factory.start({ context: trialContext(), paths, writer: { ...passthroughWriterOptions, codec: 'h264' } });
    expect(trial.paths.videoPath).to.equal(path.join(dir, 's_cam.mp4'));
    await feed(trial, 40, 1_000_000_000n);
    const summary = await trial.finish('command');
    const rows = await readTimingCsv(trial.paths.timingPath);
    const probe = await probeFile(trial.paths.videoPath);
    expect(summary.framesRecorded).to.equal(40);
    expect(rows.map((r) => r.videoPts)).to.deep.equal(probe.packets.map((p) => p.pts));
    const metadata = await readFile(trial.paths.metadataPath, 'utf8');
    expect(metadata).to.contain('s_cam.mp4');
  });
});
