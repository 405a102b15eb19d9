import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { decodeErrors, probeFile } from '../helpers/ffprobe.js';
import { recordThenKill9 } from '../helpers/kill9_trial.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';



describe('kill -9 while recording (integration)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kill9-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  for (const recordMs of [1500, 1234]) {
    it(`leaves a playable file whose frames cover every timing row (killed after ${recordMs} ms)`, async () => {
      const paths = await recordThenKill9(dir, recordMs);
      expect(await decodeErrors(paths.videoPath)).to.equal('');
      const probe = await probeFile(paths.videoPath);
      const rows = await readTimingCsv(paths.timingPath);
      expect(rows.length).to.be.greaterThan(30);
      expect(rows.length).to.be.at.most(probe.packets.length);
      rows.forEach((row, i) => {
        expect(row.frameIndex).to.equal(i + 1);
        expect(row.videoPts, `row ${i + 1}`).to.equal(probe.packets[i]!.pts);
      });
      // Rows lag the file by at most the flush interval plus what the disk had in flight.
      expect(probe.packets.length - rows.length).to.be.below(60);
    });
  }

  it('leaves a playable MP4 when node dies while ffmpeg re-encodes (ffmpeg finalizes on stdin EOF)', async function () {
    if (!(await pathFfmpegInfo()).capabilities.hasLibx264) this.skip();
    const paths = await recordThenKill9(dir, 1500, { codec: 'h264' });
    // The orphaned ffmpeg finishes on its own once stdin closes; wait for the file to settle.
    let probe = await probeFile(paths.videoPath).catch(() => null);
    for (let i = 0; i < 50 && (probe === null || probe.packets.length === 0); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      probe = await probeFile(paths.videoPath).catch(() => null);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    probe = await probeFile(paths.videoPath);
    expect(await decodeErrors(paths.videoPath)).to.equal('');
    const rows = await readTimingCsv(paths.timingPath);
    expect(rows.length).to.be.greaterThan(0);
    expect(rows.length).to.be.at.most(probe.packets.length);
    rows.forEach((row, i) => expect(row.videoPts, `row ${i + 1}`).to.equal(probe!.packets[i]!.pts));
  });
});
