import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createDeviceProbe } from '../../src/camera_core/composite_probe.js';
import { DEV_ROOT_ENV, SYSFS_ROOT_ENV } from '../../src/camera_core/discovery/camera_discovery.js';
import { launcherFor } from '../../src/process/run_command.js';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import type { StatusMessage } from '../../src/events/statuses.js';
import { buildFakeSystem, LAB_PC, LAB_PC_C920_REPLUGGED, type FakeSystem, type FakeUsbCamera } from '../helpers/fake_cameras.js';
import { installFakeV4l2Ctl, type FakeV4l2CtlInstall } from '../helpers/fake_v4l2_ctl.js';
import { ASSIGN, startHarness, type Harness } from '../helpers/module_harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const NO_FFMPEG_NEEDED = { require: (): never => { throw new Error('v4l2-ctl answers everything here') } };

/**
 * The module's own DeviceProbe (v4l2-ctl, sysfs discovery) against a fake sysfs tree and a
 * fake v4l2-ctl printing a real C920's output; only capture and video writing are fakes.
 */
describe('a V4L2 camera through the module (fake sysfs, fake v4l2-ctl, fake capture)', function () {
  this.timeout(30_000);
  let dir: string;
  let h: Harness;
  let fake: FakeV4l2CtlInstall;
  const saved = { PATH: process.env.PATH, [SYSFS_ROOT_ENV]: process.env[SYSFS_ROOT_ENV], [DEV_ROOT_ENV]: process.env[DEV_ROOT_ENV] };

  const useSystem = (name: string, cameras: readonly FakeUsbCamera[]): FakeSystem => {
    const system = buildFakeSystem(path.join(dir, name), cameras);
    fake = installFakeV4l2Ctl(dir, cameras);
    process.env[SYSFS_ROOT_ENV] = system.sysfsRoot;
    process.env[DEV_ROOT_ENV] = system.devRoot;
    return system;
  };
  const waitFor = async (what: string, test: (s: StatusMessage[]) => boolean): Promise<void> => {
    for (let waited = 0; !test(h.statuses); waited += 10) {
      if (waited > 3000) throw new Error(`no ${what}; saw ${h.statuses.map((s) => s.status).join(', ')}`);
      await sleep(10);
    }
    await h.handle.idle();
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cams-v4l2-module-'));
    useSystem('plugged', LAB_PC);
    process.env.PATH = `${fake.binDir}${path.delimiter}${saved.PATH ?? ''}`;
    const probe = createDeviceProbe(launcherFor(new NodeProcessSpawner()), NO_FFMPEG_NEEDED);
    h = await startHarness({ config: { capture: { reconnect_initial_ms: 20, reconnect_max_ms: 80 } }, overrides: { DeviceProbe: probe } });
  });
  afterEach(async () => {
    await h.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the probed mode, sets controls with v4l2-ctl, and reports what the camera refuses', async () => {
    const [ready] = await h.send('assign_device', ASSIGN);
    expect(ready?.status === 'device_ready' && ready.data).to.deep.include({
      capture_mode: { width: 1920, height: 1080, fps: 30, pixel_format: 'mjpeg' }, passthrough: true, mode_reason: 'largest MJPEG mode of the camera',
    });
    const [range] = await h.send('control_change', { control: 'brightness', value: 300 });
    expect(range?.status === 'error' && range.data).to.include({ code: -1014, error: 'brightness must be an integer from 0 to 255; got 300' });
    const [exposure] = await h.send('control_change', { control: 'exposure_absolute', value: 100 });
    expect(exposure?.status === 'control_changed' && exposure.data.note).to.contain('only while auto_exposure is 1 (Manual Mode)');
    expect(fake.calls()).to.include('-d /dev/video0 --set-ctrl=exposure_time_absolute=100');
    const [caps] = await h.send('reprobe');
    expect(caps?.status === 'device_capabilities' && caps.data).to.deep.include({ restarted_capture: false, note: null });
    fake.refuseSetCtrl('VIDIOC_S_EXT_CTRLS: failed: Input/output error');
    const [refused] = await h.send('control_change', { control: 'gain', value: 10 });
    expect(refused?.status === 'error' && refused.data).to.include({
      code: -1014, error: 'The camera at /dev/video0 refused gain=10: exited with code 255: VIDIOC_S_EXT_CTRLS: failed: Input/output error',
    });
  });

  it('after an unplug finds the camera again by its USB port under a new node and continues the trial', async () => {
    await h.send('assign_device', ASSIGN);
    await h.send('record', { trial_number: 1 });
    h.captures.last.emitFrame();
    useSystem('unplugged', LAB_PC.filter((c) => c.fixtureDir !== 'logitech_c920'));
    h.captures.last.die();
    await h.handle.idle();
    expect(h.last('device_lost')?.data).to.include({ recording_interrupted: true, device_path: '/dev/video0' });
    await sleep(150);
    expect(h.statuses.filter((s) => s.status === 'device_ready')).to.have.length(1);

    useSystem('replugged', LAB_PC_C920_REPLUGGED);
    await waitFor('recording_resumed', (s) => s.some((m) => m.status === 'recording_resumed'));
    expect(h.captures.last.device).to.deep.equal({ kind: 'v4l2', path: '/dev/video11' });
    expect(h.last('device_ready')?.data).to.include({ device_path: '/dev/video11', camera_id: 'usb:usb1-1-2' });
    h.captures.last.emitFrame();
    const [stopped] = await h.send('pause');
    expect(stopped?.status === 'recording_stopped' && stopped.data).to.include({ frames_recorded: 2 });
    expect(stopped?.status === 'recording_stopped' && stopped.data.video_files).to.have.length(2);
  });
});
