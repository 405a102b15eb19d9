import path from 'node:path';
import { expect } from 'chai';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { locatedTools } from '../helpers/run_tool.js';
import { decodeErrors } from '../helpers/ffprobe.js';
import { checkRecording } from '../../src/verify/recording_check.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';

describe('rotation on real ffmpeg', function () {
  this.timeout(60_000);
  let m: LiveModule;
  afterEach(async () => { await m?.close(); });

  for (const codec of ['mjpeg', 'h264'] as const) {
    it(`splits a ${codec} trial into timestamped files with no frame lost or doubled at the boundaries`, async () => {
      m = await startLiveModule({ record: { codec } });
      await m.send('apply_config', { storage: { rotation_seconds: 1 } });
      await m.send('assign_device', synthetic('synthetic:320x240@30'));
      const started = m.one(await m.send('record', { trial_number: 1 }), 'recording_started');
      await sleep(3300);
      const stopped = m.one(await m.send('pause'), 'recording_stopped');
      const rotations = m.statuses.filter((s) => s.status === 'recording_rotated');
      expect(stopped.data.video_files.length).to.be.at.least(3);
      expect(rotations).to.have.length(stopped.data.video_files.length - 1);
      expect(stopped.data.video_files[0]).to.equal(started.data.video_path);
      const stem = started.data.video_path.slice(0, -path.extname(started.data.video_path).length);
      for (const file of stopped.data.video_files.slice(1)) {
        expect(file.startsWith(`${stem}_`) && /_\d{8}-\d{6}(_\d+)?\.(mkv|mp4)$/.test(file), file).to.equal(true);
      }

      const { ffprobe } = await locatedTools();
      const check = await checkRecording(ffprobe, stopped.data.video_files, stopped.data.timing_path);
      expect(check.problems).to.deep.equal([]);
      expect(check.rows).to.equal(stopped.data.frames_recorded);
      for (const file of stopped.data.video_files) expect(await decodeErrors(file), file).to.equal('');

      // At each boundary the sensor time advances by one frame interval per frame, lost ones included.
      const rows = await readTimingCsv(stopped.data.timing_path);
      const intervalNs = 1e9 / 30;
      for (let i = 1; i < rows.length; i += 1) {
        if (rows[i]!.videoFile === rows[i - 1]!.videoFile) continue;
        expect(rows[i]!.videoPts, 'each file starts at pts 0').to.equal(0);
        const stepFrames = Number(rows[i]!.sensorTimestampNs - rows[i - 1]!.sensorTimestampNs) / intervalNs;
        expect(stepFrames, `boundary before frame_index ${rows[i]!.frameIndex}`).to.be.closeTo(rows[i]!.droppedBefore + 1, 0.5);
      }
    });
  }
});
