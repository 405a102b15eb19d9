import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { FfmpegCaptureSourceFactory } from '../../src/camera_core/ffmpeg_capture_source.js';
import { ensureMjpegClip } from '../../src/camera_core/test_clip.js';
import type { CaptureExit, CaptureRequest, CaptureSource, CapturedFrame } from '../../src/camera_core/types.js';
import { FfmpegLocator } from '../../src/ffmpeg/locate.js';
import type { FfmpegInfo } from '../../src/ffmpeg/types.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { SystemClock } from '../../src/time/clock.js';
import { childPids as childrenOf } from '../../bench/proc_cpu.js';
import { openFds, sleep } from '../helpers/live_module.js';
import { runToolOk } from '../helpers/run_tool.js';
import { rejectionOf } from '../helpers/rejection.js';

const STATIC_FFMPEG_4_1 = path.resolve('node_modules/@ffmpeg-installer/linux-x64/ffmpeg');
const BINARIES = [
  { label: 'ffmpeg 5.1 on PATH', configPath: null, major: 5 },
  { label: 'static ffmpeg 4.1 from @ffmpeg-installer', configPath: STATIC_FFMPEG_4_1, major: 4 },
] as const;
const CLIP_DIR = path.join(tmpdir(), 'cameras-usb2-test-clips');
const VGA30 = { width: 640, height: 480, fps: 30, pixel_format: 'mjpeg' } as const;
const FRAME_NS_AT_30 = 1_000_000_000 / 30;

/** A running capture with everything it emitted. */
interface Recorded {
  readonly source: CaptureSource;
  readonly frames: CapturedFrame[];
  readonly ended: CaptureExit[];
  readonly errors: Error[];
}

function record(source: CaptureSource): Recorded {
  const recorded: Recorded = { source, frames: [], ended: [], errors: [] };
  source.on('frame', (frame) => recorded.frames.push(frame));
  source.on('ended', (exit) => recorded.ended.push(exit));
  source.on('error', (error) => recorded.errors.push(error));
  return recorded;
}

/** Pids whose parent is this process (ffmpeg children still alive, or zombies not reaped). */
const childPids = (): number[] => childrenOf(process.pid);

function isJpeg(data: Buffer): boolean {
  return data.length > 4 && data[0] === 0xff && data[1] === 0xd8 && data[data.length - 2] === 0xff && data[data.length - 1] === 0xd9;
}

/** The clip's packets, cut from a stream copy by the sizes framecrc gives for the same copy. */
async function clipPackets(ffmpegPath: string, clip: string): Promise<Buffer[]> {
  const common = ['-nostdin', '-v', 'error', '-i', clip, '-map', '0:v:0', '-c:v', 'copy'];
  const bytes = (await runToolOk(ffmpegPath, [...common, '-f', 'mjpeg', '-'])).stdout;
  const crc = (await runToolOk(ffmpegPath, [...common, '-f', 'framecrc', '-'])).stdout.toString('latin1');
  const sizes = crc
    .split('\n')
    .filter((line) => /^\d/.test(line))
    .map((line) => Number(line.split(',')[4]));
  const packets: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    packets.push(bytes.subarray(at, at + size));
    at += size;
  }
  expect(at).to.equal(bytes.length);
  return packets;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
}

/**
 * Latency seen by node relative to the source's own schedule: with -re, ffmpeg releases
 * packet k at start + pts_k, so arrival − pts is constant plus the delay we want; its
 * spread above the minimum is what ffmpeg's processing and the pipes add per frame.
 */
function reportLatency(label: string, frames: CapturedFrame[]): void {
  const offsets = frames.map((frame) => Number(frame.arrival.monoNs - frame.sensorTimestampNs) / 1e6);
  const floor = Math.min(...offsets);
  const extra = offsets.map((offset) => offset - floor).sort((a, b) => a - b);
  console.log(
    `      arrival behind the pts schedule, above the best frame (${label}, ${frames.length} frames): ` +
      `median ${percentile(extra, 0.5).toFixed(2)} ms, p95 ${percentile(extra, 0.95).toFixed(2)} ms, max ${percentile(extra, 1).toFixed(2)} ms`,
  );
}

for (const binary of BINARIES) {
  describe(`capture through ${binary.label}`, function () {
    this.timeout(60_000);
    let ffmpeg: FfmpegInfo;
    let registry: ProcessRegistry;
    let factory: FfmpegCaptureSourceFactory;

    before(async function () {
      ffmpeg = await new FfmpegLocator({ configPath: binary.configPath, env: { PATH: process.env.PATH } }).locate();
      if (binary.configPath === null && ffmpeg.source !== 'path') {
        // A machine without a system ffmpeg (Debian's comes from .ci/run's apt step) has only the npm-shipped 4.1.
        console.log(`      skipped: no ffmpeg on PATH (found ${ffmpeg.source} ${ffmpeg.version} instead)`);
        this.skip();
      }
      expect(ffmpeg.major).to.equal(binary.major);
      registry = new ProcessRegistry(new NodeProcessSpawner());
      factory = new FfmpegCaptureSourceFactory(registry, ffmpeg, new SystemClock());
    });

    afterEach(async () => {
      await registry.stopAll();
    });

    const open = (request: Partial<CaptureRequest> = {}): Recorded =>
      record(
        factory.create({
          device: { kind: 'synthetic', width: 640, height: 480, fps: 30 },
          mode: VGA30,
          startTimeoutMs: 10_000,
          ...request,
        }),
      );

    it('delivers about 60 valid, evenly timed JPEG frames from synthetic 640x480@30 in 2 s', async () => {
      const capture = open();
      await capture.source.start();
      await sleep(2000);
      await capture.source.stop();
      const { frames } = capture;

      expect(frames.length).to.be.within(54, 66);
      expect(frames.every((frame) => isJpeg(frame.data))).to.equal(true);
      frames.forEach((frame, index) => expect(frame.captureIndex).to.equal(index));
      for (let index = 1; index < frames.length; index += 1) {
        const step = Number((frames[index] as CapturedFrame).sensorTimestampNs - (frames[index - 1] as CapturedFrame).sensorTimestampNs);
        expect(step).to.be.closeTo(FRAME_NS_AT_30, 1);
      }
      expect(frames.every((frame) => frame.droppedBefore === 0)).to.equal(true);
      const stats = capture.source.stats();
      expect(stats).to.include({ framesCaptured: frames.length, framesMissing: 0 });
      expect(capture.ended).to.deep.equal([{ code: 0, signal: null, stderrTail: capture.ended[0]?.stderrTail, requested: true }]);
      expect(capture.errors).to.deep.equal([]);
      expect(registry.size).to.equal(0);
      reportLatency(`synthetic, ${binary.label}`, frames);
    });

    it('reports fps over the last second while running', async () => {
      const capture = open();
      await capture.source.start();
      await sleep(1500);
      const { fps } = capture.source.stats();
      await capture.source.stop();
      expect(fps).to.be.closeTo(30, 3);
    });

    it('replays a clip frame for frame, byte-identical to its packets, looping with rising timestamps', async () => {
      const clip = await ensureMjpegClip({ ffmpegPath: ffmpeg.path, width: 320, height: 240, fps: 30, seconds: 1, dir: CLIP_DIR });
      const packets = await clipPackets(ffmpeg.path, clip);
      expect(packets.length).to.equal(30);
      const capture = open({ device: { kind: 'replay', path: clip }, mode: { width: 320, height: 240, fps: 30, pixel_format: 'mjpeg' } });
      await capture.source.start();
      await sleep(1700);
      await capture.source.stop();
      const { frames } = capture;

      expect(frames.length).to.be.above(packets.length + 10);
      frames.forEach((frame, index) => {
        expect(frame.data.equals(packets[index % packets.length] as Buffer), `frame ${index}`).to.equal(true);
        expect(frame.droppedBefore, `frame ${index}`).to.equal(0);
      });
      for (let index = 1; index < frames.length; index += 1) {
        const step = Number((frames[index] as CapturedFrame).sensorTimestampNs - (frames[index - 1] as CapturedFrame).sensorTimestampNs);
        // Matroska stores milliseconds: 33 or 34 ms per frame.
        expect(step).to.be.within(33_000_000, 34_000_000);
      }
      expect(capture.errors).to.deep.equal([]);
      reportLatency(`replay (stream copy), ${binary.label}`, frames);
    });

    it('rejects start with DEVICE_FAILED and ffmpeg\'s words when the clip does not exist, leaving no child', async () => {
      const capture = open({ device: { kind: 'replay', path: '/nonexistent/clip.mkv' } });
      const error = await rejectionOf(capture.source.start());
      expect(error.kind).to.equal('DEVICE_FAILED');
      expect(error.message).to.include('/nonexistent/clip.mkv').and.include('No such file or directory');
      expect(registry.size).to.equal(0);
      expect(childPids()).to.deep.equal([]);
      expect(capture.ended).to.have.length(1);
      expect(capture.ended[0]?.requested).to.equal(false);
      await capture.source.stop();
    });

    it('rejects start as soon as no frame arrived in time, and kills the child', async () => {
      const capture = open({ startTimeoutMs: 1 });
      const error = await rejectionOf(capture.source.start());
      expect(error.kind).to.equal('DEVICE_FAILED');
      expect(error.message).to.include('no frame within 1 ms');
      await capture.source.stop();
      expect(registry.size).to.equal(0);
      expect(childPids()).to.deep.equal([]);
    });

    it('rejects start when stop() comes first, and leaves no child', async () => {
      const capture = open();
      const starting = rejectionOf(capture.source.start());
      await capture.source.stop();
      expect((await starting).message).to.include('stopped before the first frame');
      expect(registry.size).to.equal(0);
      expect(capture.ended.map((exit) => exit.requested)).to.deep.equal([true]);
    });

    it('emits ended with requested false when ffmpeg dies on its own (as on unplug)', async () => {
      const capture = open();
      await capture.source.start();
      const [pid] = childPids();
      expect(pid).to.be.a('number');
      process.kill(pid as number, 'SIGKILL');
      while (capture.ended.length === 0) await sleep(10);
      expect(capture.ended[0]).to.include({ requested: false, signal: 'SIGKILL', code: null });
      expect(registry.size).to.equal(0);
      await capture.source.stop();
      expect(capture.ended).to.have.length(1);
    });

    it('survives 20 start/stop cycles without leaking children or file descriptors', async () => {
      const cycle = async (): Promise<void> => {
        const capture = open();
        await capture.source.start();
        await capture.source.stop();
        await capture.source.stop();
        expect(capture.ended).to.have.length(1);
      };
      await cycle(); // warm-up: the first cycle may open descriptors Node keeps for good
      const fdsBefore = openFds();
      for (let round = 0; round < 20; round += 1) await cycle();
      expect(registry.size).to.equal(0);
      expect(childPids()).to.deep.equal([]);
      expect(openFds()).to.be.at.most(fdsBefore);
    });
  });
}
