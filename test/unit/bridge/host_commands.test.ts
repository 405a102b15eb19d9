import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';
import { PREVIEW_INLINE_MAX_BYTES } from '../../../src/bridge/rest_camera_handlers.js';
import type { ModuleWindow } from '../../../src/window/window_port.js';

const FLAT = {
  command_id: 'CAMERAS:usb:usb1-1-2:1', device_id: 'usb:usb1-1-2', device_type: 'USB_Camera', port: '', baudrate: 0,
  is_wireless: false, is_network: false, is_camera: true, camera_type: 'usb', camera_stable_id: 'usb1-1-2',
  camera_dev_path: '/dev/video0', camera_hw_model: 'HD Pro Webcam C920', camera_location: '/sys/devices/usb1/1-2',
  camera_index: 0, display_name: 'USB:HD Pro Webcam C920 [1-2](USB):usb:usb1-1-2',
};

describe('host commands (mocked host, DI fakes)', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => { await h.close(); });

  it("takes the RPi_Logger host's flat assign_device and answers with its device_id", async () => {
    const session = path.join(h.dir, 'session_20250101_120000');
    const [ready] = await h.send('assign_device', { ...FLAT, session_dir: session });
    expect(ready?.status).to.equal('device_ready');
    expect(ready?.command_id).to.equal(FLAT.command_id);
    expect(ready?.status === 'device_ready' && ready.data).to.include({ device_id: 'usb:usb1-1-2', camera_id: 'usb:usb1-1-2', name: 'HD Pro Webcam C920' });
    const [started] = await h.send('record', { session_dir: session, trial_number: 2, trial_label: 'eyes closed' });
    expect(started?.status === 'recording_started' && started.data.video_path)
      .to.equal(path.join(session, 'Cameras', 'usb1-1-2', '20250101_120000_CAM_trial002_usb1_1_2.mkv'));
  });

  it('answers a repeated assign of the same camera again without interrupting the trial', async () => {
    await h.send('assign_device', FLAT);
    await h.send('record');
    const out = await h.send('assign_device', { ...FLAT, command_id: 'again' });
    expect(out.map((m) => m.status)).to.deep.equal(['device_ready']);
    expect(out[0]?.command_id).to.equal('again');
    expect(h.captures.created).to.have.length(1);
  });

  it('names the field of a bad flat assign_device, not the other shape', async () => {
    const [err] = await h.send('assign_device', { ...FLAT, camera_index: 'zero' });
    expect(err?.status === 'error' && err.data).to.include({ field: 'camera_index', code: -1002 });
    const [missing] = await h.send('assign_device', { device_id: 'usb:x' });
    expect(missing?.status === 'error' && missing.data.field).to.equal('camera_dev_path');
  });

  it('set_log_level answers log_level_changed', async () => {
    const [changed] = await h.send('set_log_level', { level: 'warning', target: 'all' });
    expect(changed?.status === 'log_level_changed' && changed.data).to.deep.equal({ level: 'warn', target: 'all' });
  });

  it('take_snapshot writes the newest frame exactly, never over an existing file', async () => {
    const [none] = await h.send('take_snapshot');
    expect(none?.status === 'error' && none.data.code).to.equal(-1003);
    await h.send('assign_device', ASSIGN);
    h.captures.last.emitFrame();
    const frame = h.captures.last.emitFrame();
    const closed: Array<{ path: string; kind: string; bytes: number; frames: number | null }> = [];
    h.handle.events.on('file_closed', 'test', (file) => closed.push({ path: file.path, kind: file.kind, bytes: file.bytes, frames: file.frames }));
    const target = path.join(h.dir, 'snap.jpg');
    const [first] = await h.send('take_snapshot', { path: target });
    const [second] = await h.send('take_snapshot', { path: target });
    expect(first?.status === 'snapshot_saved' && first.data.path).to.equal(target);
    expect(second?.status === 'snapshot_saved' && second.data.path).to.equal(path.join(h.dir, 'snap_2.jpg'));
    expect(fs.readFileSync(target).equals(frame.data)).to.equal(true);
    expect(closed).to.deep.equal([
      { path: target, kind: 'snapshot', bytes: frame.data.length, frames: 1 },
      { path: path.join(h.dir, 'snap_2.jpg'), kind: 'snapshot', bytes: frame.data.length, frames: 1 },
    ]);
  });

  it('toggle_preview and the window commands answer with what they did (no window asked for: why not)', async () => {
    const [toggled] = await h.send('toggle_preview', { enabled: false });
    expect(toggled?.status === 'preview_toggled' && toggled.data.enabled).to.equal(false);
    for (const command of ['show_window', 'hide_window', 'get_geometry']) {
      const [state] = await h.send(command);
      expect(state?.status === 'window_state' && state.data).to.deep.include({ available: false, visible: false, geometry: null });
      expect(state?.status === 'window_state' && state.data.reason).to.contain('no --window-geometry');
    }
  });
});

describe('window commands with a window (mocked host, a fake window)', () => {
  let h: Harness;
  let visible = false;
  const geometry = { x: 10, y: 20, width: 640, height: 480 };
  const window: ModuleWindow = {
    wanted: true,
    prepare: async () => undefined,
    attach: () => undefined,
    noteGeometry: () => undefined,
    close: async () => { visible = false; },
    state: () => ({ available: true, visible, geometry, reason: visible ? null : 'hidden' }),
    show: async () => { visible = true; return window.state(); },
    hide: async () => { visible = false; return window.state(); },
    beforeQuit: async () => undefined,
  };
  beforeEach(async () => { h = await startHarness({ overrides: { Window: window } }); });
  afterEach(async () => { await h.close(); });

  it('answers show_window, hide_window and get_geometry as RPi_Logger\'s own camera module does', async () => {
    const [shown] = await h.send('show_window', { command_id: 's1' });
    expect(shown?.status === 'window_shown' && shown.data).to.deep.equal({ geometry, instance_id: null });
    expect(shown?.command_id).to.equal('s1');
    const [where] = await h.send('get_geometry');
    expect(where?.status === 'geometry_changed' && where.data).to.deep.equal({ ...geometry, instance_id: null });
    const [hidden] = await h.send('hide_window');
    expect(hidden?.status === 'window_hidden' && hidden.data).to.deep.equal({ instance_id: null });
    expect(visible).to.equal(false);
  });
});

describe('RPi_Logger REST commands for cameras (mocked host, DI fakes)', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => { await h.close(); });

  it('get_preview answers the newest frame as base64 JPEG in preview_frame', async () => {
    const [none] = await h.send('get_preview', { camera_id: 'usb1-1-2' });
    expect(none?.status === 'error' && none.data.code).to.equal(-1003);
    await h.send('assign_device', ASSIGN);
    const frame = h.captures.last.emitFrame();
    const [preview] = await h.send('get_preview', { camera_id: 'usb1-1-2' });
    if (preview?.status !== 'preview_frame') throw new Error(`got ${preview?.status}`);
    expect(Buffer.from(preview.data.frame_base64 ?? '', 'base64').equals(frame.data)).to.equal(true);
    expect(preview.data).to.deep.include({ format: 'jpeg', bytes: frame.data.length, sensor_timestamp_ns: frame.sensorTimestampNs.toString() });
  });

  it('get_preview leaves a frame too large for a status line out, and says so by its size', async () => {
    await h.send('assign_device', ASSIGN);
    const small = h.captures.last.emitFrame();
    h.handle.runtime.channel.hub.publish({ ...small, data: Buffer.alloc(PREVIEW_INLINE_MAX_BYTES + 1, 7) });
    const [preview] = await h.send('get_preview');
    expect(preview?.status === 'preview_frame' && preview.data).to.deep.include({ frame_base64: null, bytes: PREVIEW_INLINE_MAX_BYTES + 1 });
  });

  it('capture_snapshot saves like take_snapshot, obeys the path rule, and refuses png', async () => {
    await h.send('assign_device', ASSIGN);
    const frame = h.captures.last.emitFrame();
    const target = path.join(h.dir, 'rest.jpg');
    const [saved] = await h.send('capture_snapshot', { camera_id: 'usb1-1-2', save_path: target, format: 'jpeg' });
    expect(saved?.status === 'snapshot_saved' && saved.data.path).to.equal(target);
    expect(fs.readFileSync(target).equals(frame.data)).to.equal(true);
    const [outside] = await h.send('capture_snapshot', { save_path: '/etc/cameras-usb2-test.jpg' });
    expect(outside?.status === 'error' && outside.data.code).to.equal(-1002);
    expect(fs.existsSync('/etc/cameras-usb2-test.jpg')).to.equal(false);
    const [png] = await h.send('capture_snapshot', { format: 'png' });
    expect(png?.status === 'error' && png.data).to.deep.include({ code: -1002, field: 'format' });
    const [defaulted] = await h.send('capture_snapshot', { save_path: null });
    expect(defaulted?.status).to.equal('snapshot_saved');
  });

  it('set_resolution and set_fps go through apply_config\'s rules', async () => {
    await h.send('assign_device', ASSIGN);
    const [bad] = await h.send('set_resolution', { camera_id: 'usb1-1-2', width: 0, height: 480 });
    expect(bad?.status === 'error' && bad.data.code).to.equal(-1002);
    const fps = await h.send('set_fps', { camera_id: 'usb1-1-2', fps: 15 });
    const applied = fps.find((m) => m.status === 'config_applied');
    expect(applied?.status === 'config_applied' && applied.data.applied).to.include('record.fps');
    expect(h.handle.runtime.currentConfig.record.fps).to.equal(15);
    await h.send('record');
    const [busy] = await h.send('set_resolution', { width: 320, height: 240 });
    const [applyBusy] = await h.send('apply_config', { record: { width: 320, height: 240 } });
    expect(busy?.status === 'error' && busy.data.code).to.equal(applyBusy?.status === 'error' ? applyBusy.data.code : 'no error');
  });
});
