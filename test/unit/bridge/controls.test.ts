import { expect } from 'chai';
import { parseListCtrls } from '../../../src/camera_core/v4l2/ctrls_parser.js';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';
import { cameraFixture } from '../../helpers/camera_fixtures.js';

const C920_CONTROLS = parseListCtrls(cameraFixture('logitech_c920/video0.ctrls.txt'));

describe('camera controls through the module (mocked host, C920 controls)', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  async function withC920(config: Record<string, unknown> = {}): Promise<void> {
    h = await startHarness({ config });
    h.probe.capabilities = { ...h.probe.capabilities, controls: C920_CONTROLS };
  }

  it('control_change answers an out-of-range value with -1014 stating the range, and sets nothing', async () => {
    await withC920();
    await h.send('assign_device', ASSIGN);
    const [error] = await h.send('control_change', { control: 'brightness', value: 300 });
    expect(error?.status === 'error' && error.data).to.include({ code: -1014, error: 'brightness must be an integer from 0 to 255; got 300', field: 'value' });
    const [menu] = await h.send('control_change', { control: 'power_line_frequency', value: 7 });
    expect(menu?.status === 'error' && menu.data.error).to.equal('power_line_frequency must be one of 0 (Disabled), 1 (50 Hz), 2 (60 Hz); got 7');
    expect(h.probe.controlsSet).to.deep.equal([]);
  });

  it('sets a manual exposure while auto exposure is on, and says it waits for auto exposure to be off', async () => {
    await withC920();
    await h.send('assign_device', ASSIGN);
    const [waiting] = await h.send('control_change', { control: 'exposure_absolute', value: 100 });
    expect(waiting?.status === 'control_changed' && waiting.data.control).to.equal('exposure_time_absolute');
    expect(waiting?.status === 'control_changed' && waiting.data.note).to.match(/^exposure_time_absolute takes effect only while auto_exposure is 1 \(Manual Mode\)/);
    const [manual] = await h.send('control_change', { control: 'auto_exposure', value: 'Manual Mode' });
    expect(manual?.status === 'control_changed' && manual.data).to.deep.equal({ control: 'auto_exposure', value: 1, note: null });
    const [effective] = await h.send('control_change', { control: 'exposure_time_absolute', value: 120 });
    expect(effective?.status === 'control_changed' && effective.data).to.deep.equal({ control: 'exposure_time_absolute', value: 120, note: null });
    expect(h.probe.controlsSet).to.deep.equal([
      { control: 'exposure_time_absolute', value: 100 }, { control: 'auto_exposure', value: 1 }, { control: 'exposure_time_absolute', value: 120 },
    ]);
  });

  it('apply_config.controls: validates all of them first, then sets automatic modes before the values they gate', async () => {
    await withC920();
    await h.send('assign_device', ASSIGN);
    const [bad] = await h.send('apply_config', { controls: { brightness: 10, zoom_absolute: 50 } });
    expect(bad?.status === 'error' && bad.data).to.include({ code: -1014, error: 'zoom_absolute must be an integer from 100 to 500; got 50' });
    const [status] = await h.send('get_status');
    expect(status?.status === 'status_report' && status.data.config.controls).to.deep.equal({});
    expect(h.probe.controlsSet).to.deep.equal([]);

    const out = await h.send('apply_config', { controls: { exposure_time_absolute: 200, focus_automatic_continuous: false, auto_exposure: 1 } });
    expect(out.map((m) => m.status)).to.deep.equal(['control_changed', 'control_changed', 'control_changed', 'config_applied']);
    expect(h.probe.controlsSet.map((c) => c.control)).to.deep.equal(['focus_automatic_continuous', 'auto_exposure', 'exposure_time_absolute']);
    expect(out[2]?.status === 'control_changed' && out[2].data).to.deep.equal({ control: 'exposure_time_absolute', value: 200, note: null });
    expect(out[3]?.status === 'config_applied' && out[3].data.restarted_capture).to.equal(false);
  });

  it('sets the configured controls whenever the camera opens; one it refuses is reported and the camera stays ready', async () => {
    await withC920({ controls: { brightness: 40, zoom_absolute: 9000 } });
    const out = await h.send('assign_device', ASSIGN);
    expect(out.map((m) => m.status)).to.deep.equal(['device_ready', 'control_changed', 'error']);
    expect(out[2]?.status === 'error' && out[2].data).to.include({ code: -1014, field: 'controls.zoom_absolute' });
    expect(out[2]?.status === 'error' && out[2].data.error).to.contain('Configured control zoom_absolute not set: zoom_absolute must be an integer from 100 to 500');
    expect(h.probe.controlsSet).to.deep.equal([{ control: 'brightness', value: 40 }]);
  });

  it('keeps controls configured without a camera for the camera that comes', async () => {
    await withC920();
    const [applied] = await h.send('apply_config', { controls: { gain: 30 } });
    expect(applied?.status === 'config_applied' && applied.data.applied).to.deep.equal(['controls.gain']);
    await h.send('assign_device', ASSIGN);
    expect(h.probe.controlsSet).to.deep.equal([{ control: 'gain', value: 30 }]);
  });
});

describe('reprobe (mocked host)', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  it('refreshes capabilities during a trial without touching its capture when the mode is unchanged', async () => {
    h = await startHarness();
    await h.send('assign_device', ASSIGN);
    const [started] = await h.send('record');
    h.captures.last.emitFrame();
    h.probe.capabilities = { ...h.probe.capabilities, controls: C920_CONTROLS };
    const [caps] = await h.send('reprobe');
    expect(caps?.status === 'device_capabilities' && caps.data).to.deep.include({ restarted_capture: false, note: null });
    expect(caps?.status === 'device_capabilities' && caps.data.controls).to.have.length(17);
    h.captures.last.emitFrame();
    const [stopped] = await h.send('pause');
    expect(h.captures.created).to.have.length(1);
    expect(stopped?.status === 'recording_stopped' && stopped.data).to.include({ frames_recorded: 2, reason: 'command' });
    expect(started?.status === 'recording_started' && stopped?.status === 'recording_stopped' && stopped.data.video_files).to.deep.equal([h.writers.writers[0]?.path]);
  });

  it('reopens capture when the refreshed modes choose another mode and no trial is recording', async () => {
    h = await startHarness();
    await h.send('assign_device', ASSIGN);
    h.probe.capabilities = { ...h.probe.capabilities, modes: [...h.probe.capabilities.modes, { width: 1280, height: 720, fps: 30, pixel_format: 'mjpeg' }] };
    const out = await h.send('reprobe');
    expect(out.map((m) => m.status)).to.deep.equal(['device_capabilities', 'device_released', 'device_ready']);
    expect(out[0]?.status === 'device_capabilities' && out[0].data).to.deep.include({
      restarted_capture: true, note: 'capture reopened as mjpeg 1280x720@30 (was mjpeg 640x480@30)',
    });
    expect(h.captures.last.mode).to.deep.equal({ width: 1280, height: 720, fps: 30, pixel_format: 'mjpeg' });
  });

  it('keeps the trial\'s mode when the refreshed modes would choose another, and says so', async () => {
    h = await startHarness();
    await h.send('assign_device', ASSIGN);
    await h.send('record');
    h.probe.capabilities = { ...h.probe.capabilities, modes: [...h.probe.capabilities.modes, { width: 1280, height: 720, fps: 30, pixel_format: 'mjpeg' }] };
    const [caps] = await h.send('reprobe');
    expect(caps?.status === 'device_capabilities' && caps.data.restarted_capture).to.equal(false);
    expect(caps?.status === 'device_capabilities' && caps.data.note).to.equal('the camera now suggests mjpeg 1280x720@30 instead of mjpeg 640x480@30; kept until the trial ends (pause, then reprobe)');
    expect(h.captures.created).to.have.length(1);
  });
});
