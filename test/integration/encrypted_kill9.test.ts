import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { recordThenKill9 } from '../helpers/kill9_trial.js';
import { completeLines, newKeyFile, plaintextFindings } from '../helpers/encrypted_trials.js';
import { decodeErrors, probeFile } from '../helpers/ffprobe.js';
import { runTool } from '../helpers/run_tool.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { loadKeyFile } from '../../src/crypto/symmetric_key.js';
import { verifyEncryptedFile } from '../../src/verify/decrypt_files.js';
import { DEFAULT_SEGMENT_SIZES } from '../../src/crypto/segment_sizes.js';

const CLI = path.resolve('bin/cameras-usb2.js');

/** `cameras-usb2 decrypt --allow-truncated`, as a person recovering the trial would run it. */
async function decryptTruncated(input: string, keyFile: string, output: string): Promise<string> {
  const result = await runTool(process.execPath, [CLI, 'decrypt', input, '--key-file', keyFile, '--allow-truncated', '-o', output]);
  const stderr = result.stderr;
  expect(result.code, stderr).to.equal(0);
  return stderr;
}

describe('kill -9 while recording encrypted (integration)', function () {
  this.timeout(60_000);
  let dir: string;
  let keys: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kill9-enc-'));
    keys = fs.mkdtempSync(path.join(os.tmpdir(), 'kill9-keys-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(keys, { recursive: true, force: true });
  });

  const cases: Array<[number, 'mjpeg' | 'h264']> = [[2500, 'mjpeg'], [1900, 'mjpeg'], [2500, 'h264']];
  for (const [recordMs, codec] of cases) {
    it(`--allow-truncated recovers a playable ${codec} video whose timing rows all have their frames (killed after ${recordMs} ms)`, async function () {
      if (codec === 'h264' && !(await pathFfmpegInfo()).capabilities.hasLibx264) this.skip();
      const keyFile = newKeyFile(keys);
      const paths = await recordThenKill9(dir, recordMs, { keyFile, codec });
      // With node gone, ffmpeg's output has nowhere to go: what is in the file is what node wrote.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(paths.videoPath).to.match(/\.mkv\.enc$/);
      expect(plaintextFindings(dir, { label: 'baseline' }), 'no plaintext left by the crash').to.deep.equal([]);
      // Without --allow-truncated the cut file is refused: the crash is visible, not hidden.
      const strict = await verifyEncryptedFile(paths.videoPath, loadKeyFile(keyFile)).then(() => null, (err: unknown) => err);
      expect(String(strict)).to.match(/truncated/);

      const video = path.join(dir, 'recovered.mkv');
      const timing = path.join(dir, 'recovered_timing.csv');
      expect(await decryptTruncated(paths.videoPath, keyFile, video)).to.match(/OK \(TRUNCATED\)/);
      await decryptTruncated(paths.timingPath, keyFile, timing);

      // The cut falls anywhere in a segment, so the recovered stream may end inside a frame:
      // the demuxer says so and drops that frame. Nothing else may be wrong with the file.
      const problems = (await decodeErrors(video)).split('\n').filter((line) => line.trim() !== '' && !/File ended prematurely/.test(line));
      expect(problems).to.deep.equal([]);
      const probe = await probeFile(video);
      // The last row may be cut by the crash like the video's last frame: complete rows only.
      fs.writeFileSync(timing, completeLines(fs.readFileSync(timing, 'utf8')));
      const rows = await readTimingCsv(timing);
      expect(rows.length).to.be.greaterThan(codec === 'h264' ? 10 : 30);
      expect(rows.length).to.be.at.most(probe.packets.length);
      rows.forEach((row, i) => {
        expect(row.frameIndex).to.equal(i + 1);
        expect(row.videoPts, `row ${i + 1}`).to.equal(probe.packets[i]!.pts);
      });
      // Beyond the unencrypted lag (< 60 frames), rows may miss the frames of one media
      // segment (not durable when the rows were due) and one text segment of rows.
      const frameBytes = probe.packets.reduce((sum, packet) => sum + packet.size, 0) / probe.packets.length;
      const segmentBytes = fs.readFileSync(paths.videoPath).readUInt32BE(10); // the envelope's segment size
      expect(segmentBytes).to.be.at.most(DEFAULT_SEGMENT_SIZES.media);
      const framesPerSegment = Math.ceil(segmentBytes / frameBytes);
      const rowsPerSegment = Math.ceil(DEFAULT_SEGMENT_SIZES.text / 80);
      expect(probe.packets.length - rows.length).to.be.below(60 + framesPerSegment + rowsPerSegment);
    });
  }
});
