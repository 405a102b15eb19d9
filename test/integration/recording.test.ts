import path from 'node:path';
import { expect } from 'chai';
import { startLiveModule, synthetic, sleep, openFds, type LiveModule } from '../helpers/live_module.js';
import { locatedTools, runToolOk } from '../helpers/run_tool.js';
import { checkRecording } from '../../src/verify/recording_check.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { childPids } from '../../bench/proc_cpu.js';
import type { CapturedFrame } from '../../src/camera_core/types.js';

const STATIC_FFMPEG_4_1 = path.resolve('node_modules/@ffmpeg-installer/linux-x64/ffmpeg');

describe('recording through the module on real ffmpeg', function () {
  this.timeout(60_000);
  let m: LiveModule;
  afterEach(async () => { await m?.close(); });

  for (const variant of [{ label: 'the located ffmpeg', path: undefined }, { label: 'ffmpeg 4.1 (npm-shipped)', path: STATIC_FFMPEG_4_1 }]) {
    it(`records 3 s whose file, timing CSV and status agree frame for frame, stored without re-encoding (${variant.label})`, async () => {
      m = await startLiveModule(variant.path ? { ffmpeg: { path: variant.path } } : {});
      const ready = m.one(await m.send('assign_device', synthetic('synthetic:640x480@30')), 'device_ready');
      expect(ready.data.passthrough).to.equal(true);
      // The first frame the hub publishes after record is sent must be the trial's first.
      let firstRecorded: CapturedFrame | null = null;
      let armed = false;
      const untap = m.handle.tapFrames('test-first-frame', (frame) => {
        if (armed && firstRecorded === null) firstRecorded = frame;
      });
      armed = true;
      m.one(await m.send('record', { trial_number: 1, trial_label: 'three seconds' }), 'recording_started');
      await sleep(3000);
      const stopped = m.one(await m.send('pause'), 'recording_stopped');
      untap();
      const { ffprobe } = await locatedTools();
      const check = await checkRecording(ffprobe, stopped.data.video_files, stopped.data.timing_path);
      expect(check.problems).to.deep.equal([]);
      expect(check.packets).to.equal(check.rows).and.to.equal(stopped.data.frames_recorded);
      expect(stopped.data.frames_recorded).to.be.within(80, 100);
      expect(check.files[0]?.stream).to.include({ codec: 'mjpeg', width: 640, height: 480 });
      const firstPacket = (await runToolOk('ffmpeg', ['-v', 'error', '-i', stopped.data.video_path, '-map', '0:v', '-c', 'copy', '-frames:v', '1', '-f', 'mjpeg', '-'])).stdout;
      const rows = await readTimingCsv(stopped.data.timing_path);
      const first = firstRecorded as CapturedFrame | null;
      expect(first, 'a frame arrived after record was sent').to.not.equal(null);
      expect(rows[0]?.sensorTimestampNs).to.equal(first?.sensorTimestampNs);
      expect(Buffer.compare(firstPacket, first?.data ?? Buffer.alloc(0))).to.equal(0);
    });
  }

  it('resume_recording continues frame_index into a second part, both parts consistent', async () => {
    m = await startLiveModule();
    await m.send('assign_device', synthetic('synthetic:320x240@30'));
    await m.send('record', { trial_number: 4 });
    await sleep(700);
    await m.send('pause');
    await sleep(300);
    const resumed = m.one(await m.send('resume_recording'), 'recording_resumed');
    await sleep(700);
    const stopped = m.one(await m.send('pause'), 'recording_stopped');
    expect(stopped.data.video_files).to.have.length(2);
    expect(resumed.data.next_frame_index).to.be.greaterThan(1);
    const { ffprobe } = await locatedTools();
    const check = await checkRecording(ffprobe, stopped.data.video_files, stopped.data.timing_path);
    expect(check.problems).to.deep.equal([]);
    expect(check.rows).to.equal(stopped.data.frames_recorded);
  });

  it('records H.264 in MP4 when asked, the timing CSV still matching the packets', async () => {
    m = await startLiveModule({ record: { codec: 'h264' } });
    const ready = m.one(await m.send('assign_device', synthetic('synthetic:320x240@30')), 'device_ready');
    expect(ready.data.passthrough).to.equal(false);
    await m.send('record');
    await sleep(1500);
    const stopped = m.one(await m.send('pause'), 'recording_stopped');
    expect(stopped.data.video_path.endsWith('.mp4')).to.equal(true);
    const { ffprobe } = await locatedTools();
    const check = await checkRecording(ffprobe, stopped.data.video_files, stopped.data.timing_path);
    expect(check.problems).to.deep.equal([]);
    expect(check.files[0]?.stream.codec).to.equal('h264');
  });

  it('leaves no child process and no open file descriptor behind after 100 record/pause cycles', async function () {
    this.timeout(180_000);
    m = await startLiveModule();
    await m.send('assign_device', synthetic('synthetic:160x120@30'));
    await sleep(200);
    const fdsBefore = openFds();
    const childrenBefore = childPids(process.pid).length;
    for (let i = 0; i < 100; i += 1) {
      const [started] = await m.send('record', { trial_number: i + 1 });
      expect(started?.status, JSON.stringify(started?.data)).to.equal('recording_started');
      await sleep(20);
      const [stopped] = await m.send('pause');
      expect(stopped?.status).to.equal('recording_stopped');
    }
    expect(openFds()).to.be.at.most(fdsBefore);
    expect(childPids(process.pid).length).to.equal(childrenBefore);
    await m.send('unassign_device');
    expect(childPids(process.pid)).to.deep.equal([]);
  });
});

describe('assign/unassign cycles on real ffmpeg', function () {
  this.timeout(240_000);

  it('leaves no child process and no open file descriptor behind after 100 assign/unassign cycles', async () => {
    const m = await startLiveModule();
    try {
      await m.send('assign_device', synthetic('synthetic:160x120@30'));
      await m.send('unassign_device');
      const fdsBefore = openFds();
      for (let i = 0; i < 100; i += 1) {
        const [ready] = await m.send('assign_device', synthetic('synthetic:160x120@30'));
        expect(ready?.status, JSON.stringify(ready?.data)).to.equal('device_ready');
        const [released] = await m.send('unassign_device');
        expect(released?.status).to.equal('device_released');
      }
      expect(childPids(process.pid)).to.deep.equal([]);
      expect(openFds()).to.be.at.most(fdsBefore);
    } finally {
      await m.close();
    }
  });
});
