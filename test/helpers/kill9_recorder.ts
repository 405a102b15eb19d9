/**
 * Child process for the kill -9 test: records frames into a trial (video + timing CSV)
 * as fast as a camera would, forever, until the test kills it with SIGKILL.
 * argv: <output dir> [mjpeg|h264] [key file: record encrypted]. Prints one JSON line with the trial paths once recording.
 */
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { resolveSessionPaths } from '../../src/storage/session_paths.js';
import { DefaultTrialRecorderFactory } from '../../src/storage/trial_recorder.js';
import { DefaultVideoWriterFactory } from '../../src/storage/video_writer_factory.js';
import { SystemClock } from '../../src/time/clock.js';
import { pathFfmpegInfo } from './ffmpeg_info.js';
import { resolveEncryption } from '../../src/crypto/encryption_config.js';
import { fileSinksFor } from '../../src/storage/sinks/file_sinks.js';
import { makeJpegFrames } from './jpeg_frames.js';
import { passthroughWriterOptions, trialContext } from './trial_fixtures.js';

const FRAME_INTERVAL_MS = 10;

async function main(): Promise<void> {
  const outputDir = process.argv[2];
  const codec = process.argv[3] === 'h264' ? 'h264' : 'mjpeg';
  if (!outputDir) throw new Error('usage: kill9_recorder <output dir> [mjpeg|h264]');
  const jpegs = await makeJpegFrames(30);
  const clock = new SystemClock();
  const writers = new DefaultVideoWriterFactory(await pathFfmpegInfo(), new ProcessRegistry(new NodeProcessSpawner()));
  const keyFile = process.argv[4];
  const sinks = fileSinksFor(resolveEncryption(keyFile ? { enabled: true, key_file: keyFile } : undefined, {}));
  const recorder = await new DefaultTrialRecorderFactory(writers, clock, { timingFlushMs: 100, sinks }).start({
    context: trialContext(),
    paths: resolveSessionPaths({ basePath: outputDir, sessionPrefix: 'kill9', cameraLabel: 'cam' }),
    writer: { ...passthroughWriterOptions, codec },
  });
  process.stdout.write(`${JSON.stringify(recorder.paths)}\n`);
  let index = 0;
  const firstNs = clock.sample().monoNs;
  setInterval(() => {
    // Sensor time runs at 30 fps while frames arrive faster, so pts grow 33/34 ms apart.
    recorder.onFrame({
      captureIndex: index,
      data: jpegs[index % jpegs.length]!,
      sensorTimestampNs: firstNs + BigInt(index) * 33_333_333n,
      arrival: clock.sample(),
      droppedBefore: 0,
    });
    index += 1;
  }, FRAME_INTERVAL_MS);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
