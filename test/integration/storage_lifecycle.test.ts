import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { FileLifecycle } from '../../src/storage/file_lifecycle.js';
import type { FileClosed, FileOpened } from '../../src/events/file_events.js';
import { resolveSessionPaths } from '../../src/storage/session_paths.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { DefaultTrialRecorderFactory } from '../../src/storage/trial_recorder.js';
import { DefaultVideoWriterFactory } from '../../src/storage/video_writer_factory.js';
import type { TrialRecorder } from '../../src/storage/types.js';
import { checkRecording } from '../../src/verify/recording_check.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import { rejectionOf } from '../helpers/rejection.js';
import { locatedTools } from '../helpers/run_tool.js';
import { ManualClock, passthroughWriterOptions, trialContext } from '../helpers/trial_fixtures.js';

type LifecycleEvent = { readonly event: 'opened'; readonly file: FileOpened } | { readonly event: 'closed'; readonly file: FileClosed };

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** 25 fps: frames 40 ms apart; with a 1 s rotation, frame 26 starts the second file. */
async function feed(trial: TrialRecorder, count: number, startNs: bigint): Promise<bigint[]> {
  const timestamps = regularTimestamps(count, 40, startNs);
  for (const frame of buildFrames(await makeJpegFrames(25), timestamps)) {
    trial.onFrame(frame);
    // A few ms between frames: time for a rotation's next file to be reserved, as between a camera's frames.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return timestamps;
}

describe('file lifecycle of a trial (real Matroska writer and files)', function () {
  this.timeout(60_000);
  let dir: string;
  let registry: ProcessRegistry;
  let lifecycle: FileLifecycle;
  let events: LifecycleEvent[];
  /** Each file's hash at the moment it was announced closed. */
  let hashAtClose: Map<string, string>;
  let factory: DefaultTrialRecorderFactory;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lifecycle-'));
    registry = new ProcessRegistry(new NodeProcessSpawner());
    lifecycle = new FileLifecycle();
    events = [];
    hashAtClose = new Map();
    lifecycle.on('file_opened', (file) => events.push({ event: 'opened', file }));
    lifecycle.on('file_closed', (file) => {
      events.push({ event: 'closed', file });
      if (!file.removed) hashAtClose.set(file.path, sha(file.path));
    });
    const writers = new DefaultVideoWriterFactory(await pathFfmpegInfo(), registry);
    factory = new DefaultTrialRecorderFactory(writers, new ManualClock(), { timingFlushMs: 20, lifecycle });
  });
  afterEach(async () => {
    await registry.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (options: { rotate?: boolean; prefix?: string } = {}) => factory.start({
    context: trialContext(),
    paths: resolveSessionPaths({ basePath: dir, sessionPrefix: options.prefix ?? 's_trial001', cameraLabel: 'cam' }),
    writer: passthroughWriterOptions,
    rotation: options.rotate ? { intervalSeconds: 1 } : null,
  });

  it('announces every file once opened and once final, in order, through rotation, pause, resume and seal; closed files never change', async () => {
    const trial = await start({ rotate: true });
    const first = await feed(trial, 45, 5_000_000_000n);
    await trial.finish('command');
    const resumed = await trial.resume();
    const second = await feed(trial, 10, 20_000_000_000n);
    const summary = await trial.finish('command');
    const timingBeforeSeal = readFileSync(trial.paths.timingPath, 'utf8');
    await trial.seal();

    const [video1, video2, video3] = summary.videoFiles;
    expect(summary.videoFiles).to.have.length(3);
    expect(resumed.videoPath).to.equal(video3);
    expect(path.basename(video3!)).to.equal('s_trial001_cam_part3.mkv');
    const owner = { cameraId: 'synthetic:test-cam', trialNumber: 1 };
    const { timingPath, metadataPath } = trial.paths;
    expect(events.map((e) => `${e.event} ${e.file.kind} ${path.basename(e.file.path)}`)).to.deep.equal([
      `opened video ${path.basename(video1!)}`,
      `opened timing ${path.basename(timingPath)}`,
      `opened metadata ${path.basename(metadataPath)}`,
      `closed video ${path.basename(video1!)}`,
      `opened video ${path.basename(video2!)}`,
      `closed video ${path.basename(video2!)}`,
      `opened video ${path.basename(video3!)}`,
      `closed video ${path.basename(video3!)}`,
      `closed timing ${path.basename(timingPath)}`,
      `closed metadata ${path.basename(metadataPath)}`,
    ]);
    for (const { file } of events) expect(file).to.include(owner);
    const closed = events.filter((e): e is Extract<LifecycleEvent, { event: 'closed' }> => e.event === 'closed').map((e) => e.file);
    expect(closed.map((f) => [f.frames, f.firstSensorTimestampNs, f.lastSensorTimestampNs])).to.deep.equal([
      [25, first[0], first[24]],
      [20, first[25], first[44]],
      [10, second[0], second[9]],
      [55, first[0], second[9]],
      [null, null, null],
    ]);
    for (const file of closed) expect(file.bytes, file.path).to.equal(statSync(file.path).size).and.to.be.greaterThan(0);

    expect(readFileSync(timingPath, 'utf8')).to.equal(timingBeforeSeal, 'seal only announces a finished timing file');
    await trial.seal();
    expect(events, 'seal is idempotent').to.have.length(10);
    expect(await rejectionOf(trial.resume())).to.have.property('kind', 'INVALID_STATE');
    expect(await trial.finish('command')).to.equal(summary);
    // Another trial in the same folder, and time passing, leave every closed file as it was.
    const next = await start();
    await feed(next, 5, 40_000_000_000n);
    await next.seal();
    for (const [file, hash] of hashAtClose) expect(sha(file), path.basename(file)).to.equal(hash);
    const { ffprobe } = await locatedTools();
    expect((await checkRecording(ffprobe, summary.videoFiles, timingPath)).problems).to.deep.equal([]);
  });

  it('seal() finishes a running trial and writes its final metadata; rows and frames agree', async () => {
    const trial = await start();
    await feed(trial, 12, 5_000_000_000n);
    await trial.seal('shutdown');
    expect(trial.active).to.equal(false);
    const metadata = Papa.parse<Record<string, string>>(await readFile(trial.paths.metadataPath, 'utf8'), { header: true, skipEmptyLines: true }).data[0]!;
    expect(metadata).to.include({ frames_total: '12', pixel_format: 'mjpeg' });
    expect(metadata['end_time_unix']).to.match(/^\d+\.\d{6}$/);
    expect((await readTimingCsv(trial.paths.timingPath))).to.have.length(12);
    expect(events.filter((e) => e.event === 'closed').map((e) => e.file.kind)).to.deep.equal(['video', 'timing', 'metadata']);
  });

  it('a trial stopped before its first frame leaves no video file, says so, and announces it removed', async () => {
    const trial = await start();
    const summary = await trial.finish('command');
    await trial.seal();
    expect(summary.videoFiles).to.deep.equal([]);
    expect(summary.emptyVideoFilesRemoved).to.deep.equal([trial.paths.videoPath]);
    expect(summary.framesRecorded).to.equal(0);
    expect(existsSync(trial.paths.videoPath)).to.equal(false);
    expect(readdirSync(dir).sort()).to.deep.equal(['s_trial001_cam_metadata.csv', 's_trial001_cam_timing.csv']);
    const removed = events.find((e) => e.event === 'closed' && e.file.kind === 'video');
    expect(removed?.file).to.include({ removed: true, bytes: 0, frames: 0 });
    const metadata = Papa.parse<Record<string, string>>(await readFile(trial.paths.metadataPath, 'utf8'), { header: true, skipEmptyLines: true }).data[0]!;
    expect(metadata).to.include({ frames_total: '0', video_files: '' });
    expect(await readTimingCsv(trial.paths.timingPath)).to.deep.equal([]);
  });

  it('an empty resumed part is removed; every file left is readable by ffprobe and matches the timing CSV', async () => {
    const trial = await start();
    await feed(trial, 10, 5_000_000_000n);
    await trial.finish('command');
    const resumed = await trial.resume();
    const summary = await trial.finish('command');
    expect(summary.emptyVideoFilesRemoved).to.deep.equal([resumed.videoPath]);
    expect(existsSync(resumed.videoPath)).to.equal(false);
    expect(summary.videoFiles).to.deep.equal([trial.paths.videoPath]);
    const { ffprobe } = await locatedTools();
    const check = await checkRecording(ffprobe, summary.videoFiles, trial.paths.timingPath);
    expect(check.problems).to.deep.equal([]);
    expect(check.packets).to.equal(10);
    const again = await trial.resume();
    expect(path.basename(again.videoPath), 'part numbers never repeat').to.equal('s_trial001_cam_part3.mkv');
    await trial.seal();
  });

  it('a re-encoded trial (ffmpeg child) stopped before its first frame leaves no video file either', async () => {
    const trial = await factory.start({
      context: trialContext(),
      paths: resolveSessionPaths({ basePath: dir, sessionPrefix: 's_trial002', cameraLabel: 'cam' }),
      writer: { ...passthroughWriterOptions, codec: 'h264' },
    });
    expect(path.extname(trial.paths.videoPath)).to.equal('.mp4');
    const summary = await trial.finish('command');
    expect(summary.videoFiles).to.deep.equal([]);
    expect(summary.emptyVideoFilesRemoved).to.deep.equal([trial.paths.videoPath]);
    expect(existsSync(trial.paths.videoPath)).to.equal(false);
    await trial.seal();
  });

  it('refuses to continue a trial into its folder once that was swapped for a link', async () => {
    const folder = path.join(dir, 'cam');
    mkdirSync(folder);
    const outside = await mkdtemp(path.join(tmpdir(), 'lifecycle-outside-'));
    try {
      const trial = await factory.start({
        context: trialContext(), paths: resolveSessionPaths({ basePath: folder, sessionPrefix: 's_trial003', cameraLabel: 'cam' }),
        writer: passthroughWriterOptions,
      });
      await feed(trial, 3, 5_000_000_000n);
      await trial.finish('command');
      renameSync(folder, `${folder}_moved`);
      symlinkSync(outside, folder);
      expect(await rejectionOf(trial.resume())).to.have.property('kind', 'STORAGE_UNAVAILABLE');
      expect(readdirSync(outside)).to.deep.equal([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('a dangling symlink planted at the timing name refuses the trial and leaves no file behind', async () => {
    const paths = resolveSessionPaths({ basePath: dir, sessionPrefix: 's_trial009', cameraLabel: 'cam' });
    const target = path.join(dir, '..', `${path.basename(dir)}-elsewhere.csv`);
    symlinkSync(target, paths.timingPath);
    const error = await rejectionOf(factory.start({ context: trialContext(), paths, writer: passthroughWriterOptions }));
    expect(error).to.have.property('kind', 'STORAGE_UNAVAILABLE');
    expect(readdirSync(dir)).to.deep.equal([path.basename(paths.timingPath)]);
    expect(existsSync(target)).to.equal(false);
    expect(events).to.deep.equal([]);
  });
});
