import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { DefaultVideoWriterFactory } from '../../src/storage/video_writer_factory.js';
import { fileSinksFor } from '../../src/storage/sinks/file_sinks.js';
import { createNewFile } from '../../src/storage/name_reserver.js';
import type { VideoWriterOptions } from '../../src/storage/types.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';
import { buildFrames, makeJpegFrames, regularTimestamps } from '../helpers/jpeg_frames.js';
import { QVGA } from '../helpers/trial_fixtures.js';
import { runTool } from '../helpers/run_tool.js';
import { decryptBuffer, newSymmetricKey } from '../unit/crypto/crypto_fixtures.js';

const baseOptions: Omit<VideoWriterOptions, 'path'> = {
  captureMode: QVGA, recordMode: QVGA, codec: 'mjpeg', jpegQuality: 80, h264Crf: 23, forceReencode: true, queueMaxFrames: 60, appendOnly: true,
};

describe('ffmpeg output piped into an encrypted file (TranscodeWriter, real ffmpeg)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'enc-transcode-')); });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  for (const codec of ['mjpeg', 'h264'] as const) {
    it(`reports a ${codec} frame committed only once the encrypted file's written segments hold it (each report checked on a copy)`, async function () {
      if (codec === 'h264' && !(await pathFfmpegInfo()).capabilities.hasLibx264) this.skip();
      const key = newSymmetricKey();
      const sinks = fileSinksFor({ enabled: true, key, source: { field: 'encryption.key_file', path: 'k', keyId: '00' }, segmentSizes: { media: 16384, text: 2048 } });
      const target = path.join(dir, `piped_${codec}.mkv.enc`);
      const file = await sinks.open(target, (await createNewFile(target))!, 'video');
      const factory = new DefaultVideoWriterFactory(await pathFfmpegInfo(), new ProcessRegistry(new NodeProcessSpawner()));
      const writer = await factory.open({ ...baseOptions, codec, path: target, file });
      expect(writer.path).to.equal(target);
      const copies: Array<{ readonly committed: number; readonly bytes: Buffer }> = [];
      writer.on('committed', (count) => copies.push({ committed: count, bytes: readFileSync(target) }));
      const frames = buildFrames(await makeJpegFrames(30), regularTimestamps(120, 1000 / 30));
      for (const frame of frames) {
        writer.write(frame);
        await new Promise((resolve) => setTimeout(resolve, 16));
      }
      const whileRecording = copies.length;
      const summary = await writer.close();
      expect(whileRecording, 'frames committed while ffmpeg still ran').to.be.greaterThan(0);
      expect(summary.frames).to.equal(120);
      const packetsIn = async (plaintext: Buffer, name: string): Promise<number> => {
        const plain = path.join(dir, name);
        await writeFile(plain, plaintext);
        const { stdout } = await runTool('ffmpeg', ['-v', 'quiet', '-i', plain, '-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', '-']);
        return stdout.toString('utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
      };
      for (const [i, copy] of copies.slice(0, whileRecording).entries()) {
        // What a crash at that moment would have left: the complete segments only.
        const { plaintext } = decryptBuffer(key, copy.bytes, { allowTruncated: true });
        expect(await packetsIn(plaintext, `copy_${i}.mkv`), `report ${i}: ${copy.committed} committed`).to.be.at.least(copy.committed);
      }
      const finished = decryptBuffer(key, readFileSync(target));
      expect(finished.summary.truncation).to.equal(null);
      expect(await packetsIn(finished.plaintext, 'final.mkv')).to.equal(120);
    });
  }
});
