import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { NodeProcessSpawner, type ProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { DefaultVideoWriterFactory } from '../../src/storage/video_writer_factory.js';
import type { VideoWriter, VideoWriterOptions } from '../../src/storage/types.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';
import { decodeErrors, probeFile } from '../helpers/ffprobe.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import { QVGA } from '../helpers/trial_fixtures.js';
import { runTool } from '../helpers/run_tool.js';

const baseOptions: Omit<VideoWriterOptions, 'path'> = {
  captureMode: QVGA, recordMode: QVGA, codec: 'mjpeg', jpegQuality: 85, h264Crf: 23, forceReencode: false, queueMaxFrames: 60,
};

/** Feeds frames at about real time (fast), as a camera would. */
async function feed(writer: VideoWriter, count: number, gapAfter = -1): Promise<{ pts: Array<number | null>; committed: number[] }> {
  const jpegs = await makeJpegFrames(30);
  const timestamps = regularTimestamps(count, 1000 / 30);
  if (gapAfter >= 0) for (let i = gapAfter + 1; i < count; i += 1) timestamps[i] = timestamps[i]! + 100_000_000n;
  const committed: number[] = [];
  writer.on('committed', (n) => committed.push(n));
  const pts: Array<number | null> = [];
  for (const frame of buildFrames(jpegs, timestamps)) {
    pts.push(writer.write(frame));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { pts, committed };
}

/** Spawns for real and remembers the children, so a test can kill one behind the writer's back. */
class RecordingSpawner implements ProcessSpawner {
  readonly children: ChildProcess[] = [];
  private readonly real = new NodeProcessSpawner();

  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    const child = this.real.spawn(command, args, options);
    this.children.push(child);
    return child;
  }
}

describe('TranscodeWriter through ffmpeg (integration)', () => {
  let dir: string;
  let registry: ProcessRegistry;
  let factory: DefaultVideoWriterFactory;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'transcode-'));
    registry = new ProcessRegistry(new NodeProcessSpawner());
    factory = new DefaultVideoWriterFactory(await pathFfmpegInfo(), registry);
  });
  after(async () => {
    await registry.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes H.264 in fragmented MP4 whose packet pts equal the returned pts', async function () {
    if (!(await pathFfmpegInfo()).capabilities.hasLibx264) this.skip();
    const writer = await factory.open({ ...baseOptions, codec: 'h264', path: path.join(dir, 'h264.mkv') });
    expect(writer.passthrough).to.equal(false);
    expect(writer.path).to.equal(path.join(dir, 'h264.mp4'));
    const { pts, committed } = await feed(writer, 75, 40);
    const summary = await writer.close();
    expect(summary.frames).to.equal(75);
    expect(committed.at(-1)).to.equal(75);
    expect(committed).to.deep.equal([...committed].sort((a, b) => a - b));
    const probe = await probeFile(writer.path);
    expect(probe.streams[0]).to.include({ codecName: 'h264', width: 320, height: 240, timeBase: '1/1000' });
    expect(probe.packets.map((p) => p.pts)).to.deep.equal(pts);
    expect(probe.packets.map((p) => p.dts)).to.deep.equal(pts);
    expect(await decodeErrors(writer.path)).to.equal('');
    expect(registry.size).to.equal(0);
  });

  it('re-encodes MJPEG to a smaller size in Matroska, pts unchanged', async () => {
    const writer = await factory.open({ ...baseOptions, recordMode: { ...QVGA, width: 160, height: 120 }, path: path.join(dir, 'small.mkv') });
    expect(writer.path).to.equal(path.join(dir, 'small.mkv'));
    const { pts } = await feed(writer, 45, 10);
    const summary = await writer.close();
    expect(summary.frames).to.equal(45);
    const probe = await probeFile(writer.path);
    expect(probe.streams[0]).to.include({ codecName: 'mjpeg', width: 160, height: 120 });
    expect(probe.packets.map((p) => p.pts)).to.deep.equal(pts);
    expect(await decodeErrors(writer.path)).to.equal('');
  });

  it('reports committed frames while recording, from ffmpeg progress', async () => {
    const writer = await factory.open({ ...baseOptions, forceReencode: true, path: path.join(dir, 'progress.mkv') });
    const { committed } = await feed(writer, 150);
    expect(committed.length, 'progress reports before close').to.be.greaterThan(0);
    await writer.close();
    expect(committed.at(-1)).to.equal(150);
  });

  for (const codec of ['mjpeg', 'h264'] as const) {
    it(`reports a frame committed only once the ${codec} file on disk holds it (each report checked against a copy of the file)`, async function () {
      if (codec === 'h264' && !(await pathFfmpegInfo()).capabilities.hasLibx264) this.skip();
      const writer = await factory.open({ ...baseOptions, codec, forceReencode: true, path: path.join(dir, `verified_${codec}.mkv`) });
      const copies: Array<{ readonly committed: number; readonly bytes: Buffer }> = [];
      writer.on('committed', (count) => copies.push({ committed: count, bytes: readFileSync(writer.path) }));
      // About 2 s of real time: ffmpeg reports progress every 0.5 s while it reads frames.
      for (const frame of buildFrames(await makeJpegFrames(30), regularTimestamps(120, 1000 / 30))) {
        writer.write(frame);
        await new Promise((resolve) => setTimeout(resolve, 16));
      }
      const whileRecording = copies.length;
      await writer.close();
      expect(whileRecording, 'frames committed while ffmpeg still ran').to.be.greaterThan(0);
      for (const [i, copy] of copies.slice(0, whileRecording).entries()) {
        const file = path.join(dir, `copy_${codec}_${i}${path.extname(writer.path)}`);
        await writeFile(file, copy.bytes);
        const { stdout } = await runTool('ffmpeg', ['-v', 'quiet', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', '-']);
        const packets = stdout.toString('utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
        expect(packets, `report ${i}: ${copy.committed} committed`).to.be.at.least(copy.committed);
      }
    });
  }

  it('refuses to overwrite an existing file', async () => {
    const existing = path.join(dir, 'taken.mp4');
    await writeFile(existing, 'x');
    let error: unknown = null;
    await factory.open({ ...baseOptions, codec: 'h264', path: existing }).catch((err: unknown) => { error = err; });
    expect(error).to.have.property('kind', 'ENCODER_FAILED');
  });

  it('reports ffmpeg dying mid-recording as ENCODER_FAILED', async () => {
    const spawner = new RecordingSpawner();
    const ownRegistry = new ProcessRegistry(spawner);
    const ownFactory = new DefaultVideoWriterFactory(await pathFfmpegInfo(), ownRegistry);
    const writer = await ownFactory.open({ ...baseOptions, forceReencode: true, path: path.join(dir, 'killed.mkv') });
    const errors: unknown[] = [];
    writer.on('error', (error) => errors.push(error));
    await feed(writer, 10);
    expect(spawner.children).to.have.length(1);
    spawner.children[0]!.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.have.property('kind', 'ENCODER_FAILED');
    let closeError: unknown = null;
    await writer.close().catch((err: unknown) => { closeError = err; });
    expect(closeError).to.have.property('kind', 'ENCODER_FAILED');
    expect(ownRegistry.size).to.equal(0);
  });
});
