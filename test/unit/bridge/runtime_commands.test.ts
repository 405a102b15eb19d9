import { expect } from 'chai';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';
import { readCsv } from '../../helpers/csv.js';

describe('CamerasRuntime: sessions, config, controls, status, telemetry, disk, quit', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  describe('with defaults', () => {
    beforeEach(async () => { h = await startHarness(); });

    it('carries the session id into recording_started and the metadata file', async () => {
      const [started] = await h.send('start_session', { session_id: 'S-42' });
      expect(started?.status === 'session_started' && started.data.session_id).to.equal('S-42');
      await h.send('assign_device', ASSIGN);
      const [rec] = await h.send('record', { trial_number: 2 });
      expect(rec?.status === 'recording_started' && rec.data.session_id).to.equal('S-42');
      h.captures.last.emitFrame();
      await h.send('pause');
      const meta = readCsv(rec?.status === 'recording_started' ? rec.data.metadata_path : '');
      expect(meta[0]).to.include({ session_id: 'S-42', trial: '2' });
    });

    it('start_session while recording gets -1006; stop_session ends the running trial first', async () => {
      await h.send('assign_device', ASSIGN);
      await h.send('record');
      const [refused] = await h.send('start_session', { session_id: 'X' });
      expect(refused?.status === 'error' && refused.data.code).to.equal(-1006);
      const out = await h.send('stop_session');
      expect(out.map((m) => m.status)).to.deep.equal(['recording_stopped', 'session_stopped']);
      expect(out[0]?.status === 'recording_stopped' && out[0].data.reason).to.equal('session_stopped');
    });

    it('numbers trials on from the last when record gives no trial_number', async () => {
      await h.send('start_session', { session_id: 'S' });
      await h.send('assign_device', ASSIGN);
      const [a] = await h.send('record');
      await h.send('pause');
      const [b] = await h.send('record');
      expect(a?.status === 'recording_started' && a.data.trial_number).to.equal(1);
      expect(b?.status === 'recording_started' && b.data.trial_number).to.equal(2);
    });

    it('apply_config validates the whole payload first and applies nothing when any part is bad', async () => {
      const [err] = await h.send('apply_config', { telemetry: { emit_interval_ms: 50 }, record: { fps: -1 } });
      expect(err?.status === 'error' && err.data).to.include({ code: -1002, field: 'record.fps' });
      const [status] = await h.send('get_status');
      expect(status?.status === 'status_report' && status.data.config.telemetry?.emit_interval_ms).to.equal(0);
    });

    it('apply_config applies live settings, restarts capture on a mode change, refuses it while recording', async () => {
      await h.send('assign_device', ASSIGN);
      const [live] = await h.send('apply_config', { record: { jpeg_quality: 70 } });
      expect(live?.status === 'config_applied' && live.data).to.deep.equal({ applied: ['record.jpeg_quality'], restarted_capture: false, next_recording: ['record.jpeg_quality'] });
      const before = h.captures.created.length;
      const out = await h.send('apply_config', { record: { fps: 15 } });
      expect(out.at(-1)?.status === 'config_applied' && out.at(-1)?.data).to.deep.include({ restarted_capture: true });
      expect(h.captures.created.length).to.equal(before + 1);
      await h.send('record');
      const [refused] = await h.send('apply_config', { record: { width: 320, height: 240 } });
      expect(refused?.status === 'error' && refused.data.code).to.equal(-1006);
    });

    it('control_change validates against the probed controls', async () => {
      const [idle] = await h.send('control_change', { control: 'brightness', value: 10 });
      expect(idle?.status === 'error' && idle.data.code).to.equal(-1003);
      await h.send('assign_device', ASSIGN);
      const [ok] = await h.send('control_change', { control: 'brightness', value: 10 });
      expect(ok?.status === 'control_changed' && ok.data.value).to.equal(10);
      const [bad] = await h.send('control_change', { control: 'zoom', value: 1 });
      expect(bad?.status === 'error' && bad.data.code).to.equal(-1014);
    });

    it('reprobe reports the capabilities', async () => {
      await h.send('assign_device', ASSIGN);
      const [caps] = await h.send('reprobe');
      expect(caps?.status === 'device_capabilities' && caps.data.modes).to.have.length(1);
    });

    it('get_status reports the state in every state', async () => {
      const states: string[] = [];
      const grab = async (): Promise<void> => {
        const [s] = await h.send('get_status');
        if (s?.status === 'status_report') states.push(s.data.state);
      };
      await grab();
      await h.send('assign_device', ASSIGN);
      await grab();
      await h.send('record');
      await grab();
      await h.send('pause');
      await grab();
      await h.send('quit');
      await grab();
      expect(states).to.deep.equal(['idle', 'capturing', 'recording', 'paused', 'closed']);
    });

    it('unassign_device releases; unassign_all_devices acknowledges with device_unassigned', async () => {
      const [none] = await h.send('unassign_device');
      expect(none?.status === 'error' && none.data.code).to.equal(-1003);
      await h.send('assign_device', ASSIGN);
      const [released] = await h.send('unassign_device');
      expect(released?.status).to.equal('device_released');
      await h.send('assign_device', ASSIGN);
      const out = await h.send('unassign_all_devices', { command_id: 'shutdown-1' });
      expect(out.map((m) => m.status)).to.deep.equal(['device_released', 'device_unassigned']);
      expect(out[1]?.command_id).to.equal('shutdown-1');
      const [empty] = await h.send('unassign_all_devices');
      expect(empty?.status === 'device_unassigned' && empty.data.released).to.deep.equal([]);
    });

    it('illegal states get their errors: pause and resume without a trial', async () => {
      const [noDevice] = await h.send('pause');
      expect(noDevice?.status === 'error' && noDevice.data).to.include({ code: -1003, error: 'No camera assigned' });
      await h.send('assign_device', ASSIGN);
      const [notRec] = await h.send('pause_recording');
      expect(notRec?.status === 'error' && notRec.data.code).to.equal(-1004);
      const [nothing] = await h.send('resume_recording');
      expect(nothing?.status === 'error' && nothing.data.code).to.equal(-1012);
      await h.send('record');
      const [busy] = await h.send('resume_recording');
      expect(busy?.status === 'error' && busy.data.code).to.equal(-1006);
    });

    it('record with no device: error "No camera assigned"', async () => {
      const [err] = await h.send('start_recording');
      expect(err?.status === 'error' && err.data).to.include({ command: 'start_recording', error: 'No camera assigned', code: -1003 });
    });

    it('quit finalizes the trial, answers quitting, and refuses later commands', async () => {
      await h.send('assign_device', ASSIGN);
      await h.send('record');
      const out = await h.send('quit');
      expect(out.map((m) => m.status)).to.deep.equal(['recording_stopped', 'device_released', 'quitting']);
      const [after] = await h.send('record');
      expect(after?.status === 'error' && after.data).to.include({ code: -1016, recoverable: false });
    });
  });

  describe('telemetry and disk guard', () => {
    it('emits telemetry at the configured interval while a camera is assigned', async () => {
      h = await startHarness({ config: { telemetry: { emit_interval_ms: 30 } } });
      await h.send('assign_device', ASSIGN);
      await h.send('record');
      h.captures.last.emitFrame();
      await new Promise((r) => setTimeout(r, 120));
      const t = h.last('telemetry');
      expect(t?.data).to.include({ camera_id: 'usb:usb1-1-2', recording: true, frames_recorded: 1, queue_depth: 0 });
      expect(t?.data).to.have.keys('camera_id', 'capture_fps', 'record_fps', 'queue_depth', 'frames_captured', 'frames_recorded', 'frames_dropped', 'recording',
        'session_id', 'trial_number', 'current_file', 'elapsed_seconds', 'subscribers');
      expect(t?.data.subscribers).to.deep.include({ name: 'trial', delivered: 1, dropped: 0, queued: 0 });
    });

    it('refuses record while the disk is low, and stops a trial when it becomes low', async () => {
      h = await startHarness({ config: { guard: { disk_free_gb_min: 2, check_interval_ms: 100 } } });
      await h.send('assign_device', ASSIGN);
      h.disk.availableBytes = 1e9;
      const [refused] = await h.send('record');
      expect(refused?.status === 'error' && refused.data).to.include({ code: -1010 });
      h.disk.availableBytes = 500e9; // well below the 90 % block threshold of the fake 1000 GiB volume
      await h.send('record');
      h.captures.last.emitFrame();
      h.disk.availableBytes = 0.5e9;
      await new Promise((r) => setTimeout(r, 250));
      await h.handle.idle();
      expect(h.last('recording_stopped')?.data.reason).to.equal('disk_low');
      expect(h.last('disk_low')?.data).to.include({ free_gb: 0.5, min_required_gb: 2 });
    });
  });
});
