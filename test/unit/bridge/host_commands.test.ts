import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';

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

  it('toggle_preview and the window commands answer with what they did', async () => {
    const [toggled] = await h.send('toggle_preview', { enabled: false });
    expect(toggled?.status === 'preview_toggled' && toggled.data.enabled).to.equal(false);
    for (const command of ['show_window', 'hide_window', 'get_geometry']) {
      const [state] = await h.send(command);
      expect(state?.status === 'window_state' && state.data.available).to.equal(false);
    }
  });
});
