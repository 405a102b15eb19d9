import { expect } from 'chai';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';
import { readCsv } from '../../helpers/csv.js';

describe('CamerasRuntime: assign, record, pause, resume (mocked host, DI fakes)', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => { await h.close(); });

  it('reports ready with the ffmpeg in use once initialized', () => {
    const ready = h.statuses[0];
    expect(ready?.status).to.equal('ready');
    expect(ready?.status === 'ready' && ready.data.ffmpeg?.path).to.equal('/fake/ffmpeg');
  });

  it('answers assign_device with device_ready carrying the command_id and the chosen modes', async () => {
    const out = await h.send('assign_device', { ...ASSIGN, command_id: 'c-1' });
    const ready = out.find((m) => m.status === 'device_ready');
    expect(ready?.command_id).to.equal('c-1');
    expect(ready?.status === 'device_ready' && ready.data).to.include({ camera_id: 'usb:usb1-1-2', resolution: '640x480', fps: 30, passthrough: true });
    expect(h.captures.last.started).to.equal(true);
  });

  it('runs a record sent right after assign_device only once the device is ready', async () => {
    h.sendRaw('assign_device', ASSIGN);
    h.sendRaw('record', { trial_number: 1 });
    await h.handle.idle();
    const names = h.statuses.map((m) => m.status);
    expect(names.indexOf('device_ready')).to.be.greaterThan(-1);
    expect(names.indexOf('recording_started')).to.be.greaterThan(names.indexOf('device_ready'));
  });

  it('writes one timing row per recorded frame and reports the totals on pause', async () => {
    await h.send('assign_device', ASSIGN);
    h.captures.last.emitFrame();
    const [started] = await h.send('record', { trial_number: 3, trial_label: 'baseline, eyes open' });
    expect(started?.status).to.equal('recording_started');
    for (let i = 0; i < 10; i += 1) h.captures.last.emitFrame(i === 4 ? 2 : 0);
    const out = await h.send('pause');
    const stopped = out.find((m) => m.status === 'recording_stopped');
    expect(stopped?.status === 'recording_stopped' && stopped.data).to.include({ frames_recorded: 10, trial_number: 3, reason: 'command' });
    const timing = started?.status === 'recording_started' ? started.data.timing_path : '';
    const rows = readCsv(timing);
    expect(rows.map((r) => Number(r['frame_index']))).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows[0]).to.include({ trial: '3', module: 'Cameras-USB2', device_id: 'usb1-1-2', label: 'baseline, eyes open' });
    expect(h.writers.writers[0]?.frames).to.have.length(10);
  });

  it('records the frames that arrive while the trial files are still being opened', async () => {
    await h.send('assign_device', ASSIGN);
    let openFile: () => void = () => undefined;
    h.writers.gate = new Promise((resolve) => { openFile = resolve; });
    h.sendRaw('record', { trial_number: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    const early = [h.captures.last.emitFrame(), h.captures.last.emitFrame()];
    openFile();
    await h.handle.idle();
    h.captures.last.emitFrame();
    const [stopped] = await h.send('pause');
    expect(stopped?.status === 'recording_stopped' && stopped.data.frames_recorded).to.equal(3);
    expect(h.writers.writers[0]?.frames.slice(0, 2)).to.deep.equal(early);
  });

  it('refuses a second record while recording with -1006 and the session id', async () => {
    await h.send('start_session', { session_id: 'S-7' });
    await h.send('assign_device', ASSIGN);
    await h.send('record');
    const [err] = await h.send('record');
    expect(err?.status).to.equal('error');
    expect(err?.status === 'error' && err.data).to.deep.include({ code: -1006, command: 'record', session_id: 'S-7', recoverable: true });
    expect(err?.status === 'error' && err.data.data).to.deep.equal({ camera_id: 'usb:usb1-1-2', session_id: 'S-7' });
  });

  it('resume_recording continues the same trial: frame_index goes on in a new video part', async () => {
    await h.send('assign_device', ASSIGN);
    const [started] = await h.send('record', { trial_number: 1 });
    for (let i = 0; i < 3; i += 1) h.captures.last.emitFrame();
    await h.send('pause');
    h.captures.last.emitFrame();
    const out = await h.send('resume_recording');
    const resumed = out.find((m) => m.status === 'recording_resumed');
    expect(resumed?.status === 'recording_resumed' && resumed.data).to.include({ trial_number: 1, next_frame_index: 4 });
    for (let i = 0; i < 2; i += 1) h.captures.last.emitFrame();
    const [stopped] = await h.send('pause');
    expect(stopped?.status === 'recording_stopped' && stopped.data.frames_recorded).to.equal(5);
    expect(stopped?.status === 'recording_stopped' && stopped.data.video_files).to.have.length(2);
    const rows = readCsv(started?.status === 'recording_started' ? started.data.timing_path : '');
    expect(rows.map((r) => Number(r['frame_index']))).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('a second assign_device replaces the first cleanly, ending its trial', async () => {
    await h.send('assign_device', ASSIGN);
    await h.send('record');
    const first = h.captures.last;
    const out = await h.send('assign_device', { ...ASSIGN, camera_id: { backend: 'usb', stable_id: 'usb1-1-3' } });
    expect(out.map((m) => m.status)).to.deep.equal(['recording_stopped', 'device_released', 'device_ready']);
    expect(out[0]?.status === 'recording_stopped' && out[0].data.reason).to.equal('device_replaced');
    expect(first.stopped).to.equal(true);
  });

  it('reports device_error when the camera cannot be opened and stays idle', async () => {
    const { ModuleError } = await import('../../../src/errors/codes.js');
    h.captures.failNext = new ModuleError('DEVICE_FAILED', 'Cannot open /dev/video0: busy');
    const out = await h.send('assign_device', { ...ASSIGN, command_id: 'c-9' });
    expect(out[0]?.status).to.equal('device_error');
    expect(out[0]?.command_id).to.equal('c-9');
    expect(out[0]?.status === 'device_error' && out[0].data).to.include({ code: -1007, error: 'Cannot open /dev/video0: busy' });
    const [status] = await h.send('get_status');
    expect(status?.status === 'status_report' && status.data.state).to.equal('idle');
  });

  it('finalizes the trial\'s files and reports device_lost -1011 when capture dies (the rest: reconnect.test.ts)', async () => {
    await h.send('assign_device', ASSIGN);
    await h.send('record');
    h.captures.last.emitFrame();
    h.probe.present = false;
    h.captures.last.die();
    await h.handle.idle();
    expect(h.writers.writers[0]?.closed).to.equal(true);
    expect(h.last('device_lost')?.data).to.include({ code: -1011, recording_interrupted: true, trial_number: 1 });
    expect(h.last('recording_stopped')).to.equal(undefined);
  });
});
