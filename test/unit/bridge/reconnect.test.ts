import { expect } from 'chai';
import path from 'node:path';
import { reconnectDelay } from '../../../src/camera_core/reconnect.js';
import { ModuleError } from '../../../src/errors/codes.js';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';
import { readCsv } from '../../helpers/csv.js';
import type { StatusMessage } from '../../../src/events/statuses.js';

const FAST_RETRY = { capture: { reconnect_initial_ms: 10, reconnect_max_ms: 40 } };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(h: Harness, what: string, test: (statuses: StatusMessage[]) => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!test(h.statuses)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; saw ${h.statuses.map((m) => m.status).join(', ')}`);
    await sleep(5);
  }
  await h.handle.idle();
}
const count = (h: Harness, status: string): number => h.statuses.filter((m) => m.status === status).length;
const state = async (h: Harness): Promise<string | undefined> => {
  const [report] = await h.send('get_status');
  return report?.status === 'status_report' ? report.data.state : undefined;
};

describe('camera lost and back (mocked host)', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  it('finalizes the files, reopens the camera where it reappears and continues the trial with the gap recorded', async () => {
    h = await startHarness({ config: FAST_RETRY });
    await h.send('assign_device', ASSIGN);
    const [started] = await h.send('record', { trial_number: 1 });
    for (let i = 0; i < 3; i += 1) h.captures.last.emitFrame();
    h.probe.present = false;
    h.captures.last.die();
    await h.handle.idle();

    const lost = h.last('device_lost');
    expect(lost?.data).to.deep.equal({
      camera_id: 'usb:usb1-1-2', device_id: h.last('device_ready')?.data.device_id, device_path: '/dev/video0',
      error: 'Capture from /dev/video0 ended unexpectedly: No such device', code: -1011,
      recording_interrupted: true, trial_number: 1, video_path: h.writers.writers[0]?.path, next_attempt_ms: 10,
    });
    expect(h.writers.writers[0]?.closed).to.equal(true);
    expect(await state(h)).to.equal('recording');
    const [refusedRecord] = await h.send('record');
    expect(refusedRecord?.status === 'error' && refusedRecord.data.code).to.equal(-1006);
    const [refusedControl] = await h.send('control_change', { control: 'brightness', value: 3 });
    expect(refusedControl?.status === 'error' && refusedControl.data.code).to.equal(-1011);

    await sleep(80);
    expect(h.probe.locateCalls).to.be.greaterThan(2);
    expect(h.captures.created).to.have.length(1);

    // Re-plugged into the same port, it comes back as another node.
    h.probe.relocatedPath = '/dev/video2';
    h.probe.present = true;
    await waitFor(h, 'recording_resumed', () => count(h, 'recording_resumed') === 1);
    expect(h.captures.last.device).to.deep.equal({ kind: 'v4l2', path: '/dev/video2' });
    expect(count(h, 'device_ready')).to.equal(2);
    const resumed = h.last('recording_resumed');
    expect(resumed?.data).to.include({ reason: 'device_returned', trial_number: 1, next_frame_index: 4 });
    expect(resumed?.data.video_path).to.equal(h.writers.writers[1]?.path);

    const back = h.captures.last;
    back.timeOffsetNs = 10_000_000_000n; // the camera was away for about ten seconds
    for (let i = 0; i < 2; i += 1) back.emitFrame();
    const [stopped] = await h.send('pause');
    expect(stopped?.status === 'recording_stopped' && stopped.data).to.include({ frames_recorded: 5, reason: 'command' });

    const timingPath = started?.status === 'recording_started' ? started.data.timing_path : '';
    const rows = readCsv(timingPath);
    expect(rows.map((r) => Number(r['frame_index']))).to.deep.equal([1, 2, 3, 4, 5]);
    const [lastBefore, firstAfter] = [rows[2]!, rows[3]!];
    const gapSeconds = Number(firstAfter['record_time_mono']) - Number(lastBefore['record_time_mono']);
    const expectedMissed = Math.round(gapSeconds * 30) - 1;
    expect(expectedMissed).to.be.greaterThan(250);
    expect(Number(firstAfter['dropped_before'])).to.equal(expectedMissed);
    expect(Number(rows[4]!['dropped_before'])).to.equal(0);
    expect(firstAfter['video_file']).to.equal(path.basename(h.writers.writers[1]!.path));
    expect(stopped?.status === 'recording_stopped' && stopped.data.frames_dropped).to.equal(expectedMissed);

    const metadata = readCsv(started?.status === 'recording_started' ? started.data.metadata_path : '')[0];
    expect(metadata?.['gaps']).to.equal(`4:${expectedMissed}`);
    expect(metadata?.['video_files']?.split(';')).to.have.length(2);
  });

  it('lets the host pause during the outage: the trial ends there, and resume_recording continues it after the camera is back', async () => {
    h = await startHarness({ config: FAST_RETRY });
    await h.send('assign_device', ASSIGN);
    await h.send('record', { trial_number: 4 });
    h.captures.last.emitFrame();
    h.probe.present = false;
    h.captures.last.die();
    await h.handle.idle();
    const [stopped] = await h.send('pause');
    expect(stopped?.status === 'recording_stopped' && stopped.data).to.include({ trial_number: 4, reason: 'command', frames_recorded: 1 });
    expect(await state(h)).to.equal('reconnecting');
    const [refused] = await h.send('record');
    expect(refused?.status === 'error' && refused.data).to.include({ code: -1011 });
    const [notYet] = await h.send('resume_recording');
    expect(notYet?.status === 'error' && notYet.data.code).to.equal(-1011);

    h.probe.present = true;
    await waitFor(h, 'device_ready', () => count(h, 'device_ready') === 2);
    expect(count(h, 'recording_resumed')).to.equal(0);
    expect(await state(h)).to.equal('paused');
    const [resumed] = await h.send('resume_recording');
    expect(resumed?.status === 'recording_resumed' && resumed.data).to.include({ trial_number: 4, next_frame_index: 2 });
  });

  it('stops trying when the camera is unassigned during the outage', async () => {
    h = await startHarness({ config: FAST_RETRY });
    h.probe.present = false;
    await h.send('assign_device', ASSIGN);
    h.captures.last.die();
    await h.handle.idle();
    expect(h.last('device_lost')?.data).to.include({ recording_interrupted: false, trial_number: null, video_path: null });
    expect(await state(h)).to.equal('reconnecting');
    const [released] = await h.send('unassign_device');
    expect(released?.status).to.equal('device_released');
    const calls = h.probe.locateCalls;
    await sleep(80);
    expect(h.probe.locateCalls).to.equal(calls);
    expect(await state(h)).to.equal('idle');
  });

  it('finalizes an interrupted trial on quit: recording_stopped, device_released, quitting', async () => {
    h = await startHarness({ config: FAST_RETRY });
    await h.send('assign_device', ASSIGN);
    await h.send('record');
    h.probe.present = false;
    h.captures.last.die();
    await h.handle.idle();
    const out = await h.send('quit');
    expect(out.map((m) => m.status)).to.deep.equal(['recording_stopped', 'device_released', 'quitting']);
    expect(out[0]?.status === 'recording_stopped' && out[0].data.reason).to.equal('shutdown');
  });

  it('keeps trying when the camera reappears but does not open yet', async () => {
    h = await startHarness({ config: FAST_RETRY });
    await h.send('assign_device', ASSIGN);
    await h.send('record');
    h.captures.failNext = new ModuleError('DEVICE_FAILED', 'Cannot open /dev/video0: Device or resource busy');
    h.captures.last.die();
    await waitFor(h, 'recording_resumed', () => count(h, 'recording_resumed') === 1);
    expect(h.captures.created).to.have.length(3);
    expect(h.captures.created[1]?.started).to.equal(false);
  });

  it('ends the interrupted trial when the camera comes back in another mode', async () => {
    h = await startHarness({ config: FAST_RETRY });
    await h.send('assign_device', ASSIGN);
    await h.send('record', { trial_number: 2 });
    h.captures.last.emitFrame();
    h.probe.capabilities = { ...h.probe.capabilities, modes: [{ width: 1280, height: 720, fps: 30, pixel_format: 'mjpeg' }] };
    h.captures.last.die();
    await waitFor(h, 'recording_stopped', () => count(h, 'recording_stopped') === 1);
    expect(h.last('recording_stopped')?.data).to.include({ trial_number: 2, reason: 'device_lost' });
    expect(h.last('error')?.data.error).to.contain('came back in another mode (mjpeg 1280x720@30 instead of mjpeg 640x480@30)');
    expect(count(h, 'recording_resumed')).to.equal(0);
    expect(await state(h)).to.equal('capturing');
  });

  it('waits longer after each failed attempt, up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 40].map((n) => reconnectDelay(n, 250, 5000))).to.deep.equal([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
