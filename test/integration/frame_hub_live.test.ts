import { expect } from 'chai';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { locatedTools } from '../helpers/run_tool.js';
import { checkRecording } from '../../src/verify/recording_check.js';
import { childPids } from '../../bench/proc_cpu.js';

describe('frame hub on real ffmpeg', function () {
  this.timeout(60_000);
  let m: LiveModule | null = null;
  afterEach(async () => {
    await m?.close();
    m = null;
  });

  it('records every frame of a trial while a tap sleeps 1 s on each frame; the tap\'s losses are counted', async () => {
    m = await startLiveModule({ telemetry: { emit_interval_ms: 200 } });
    let slowGot = 0;
    m.handle.tapFrames('sleeper', async () => {
      slowGot += 1;
      await sleep(1000);
    }, { maxQueueFrames: 2 });
    m.one(await m.send('assign_device', synthetic('synthetic:640x480@30')), 'device_ready');
    m.one(await m.send('record', { trial_number: 1 }), 'recording_started');
    await sleep(3000);
    const telemetry = [...m.statuses].reverse().find((s) => s.status === 'telemetry');
    const stopped = m.one(await m.send('pause'), 'recording_stopped');
    const check = await checkRecording((await locatedTools()).ffprobe, stopped.data.video_files, stopped.data.timing_path);
    expect(check.problems).to.deep.equal([]);
    expect(check.packets).to.equal(check.rows).and.to.equal(stopped.data.frames_recorded);
    expect(stopped.data.frames_recorded).to.be.within(80, 100);
    expect(stopped.data.frames_dropped).to.equal(0);
    expect(slowGot).to.be.within(2, 6);
    const sleeper = telemetry?.status === 'telemetry' ? telemetry.data.subscribers?.find((s) => s.name === 'sleeper') : undefined;
    expect(sleeper?.dropped).to.be.greaterThan(50);
    expect(telemetry?.status === 'telemetry' && telemetry.data.capture_fps).to.be.within(27, 33);
  });

  it('shuts down cleanly when shutdown arrives while the camera is still starting, leaving no child', async () => {
    m = await startLiveModule();
    const live = m;
    const assigned = live.send('assign_device', synthetic('synthetic:320x240@30'));
    const closing = live.close();
    m = null;
    await Promise.all([assigned, closing]);
    await sleep(100);
    expect(childPids(process.pid)).to.deep.equal([]);
  });
});
