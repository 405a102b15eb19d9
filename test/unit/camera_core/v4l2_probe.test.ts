import { expect } from 'chai';
import { CompositeDeviceProbe } from '../../../src/camera_core/composite_probe.js';
import { CameraDiscovery } from '../../../src/camera_core/discovery/camera_discovery.js';
import { SyntheticDeviceProbe } from '../../../src/camera_core/synthetic_probe.js';
import type { CameraIdentity } from '../../../src/camera_core/types.js';
import { V4l2Ctl } from '../../../src/camera_core/v4l2/v4l2_ctl.js';
import { V4l2NodeProbe } from '../../../src/camera_core/v4l2/v4l2_probe.js';
import { launcherFor } from '../../../src/process/run_command.js';
import { cameraFixture } from '../../helpers/camera_fixtures.js';
import { LAB_PC } from '../../helpers/fake_cameras.js';
import { FakeSpawner, type FakeBehaviour } from '../../helpers/fake_spawner.js';
import { recordedV4l2Ctl } from '../../helpers/fake_v4l2_ctl.js';
import { rejectionOf } from '../../helpers/rejection.js';

const FFMPEG = { require: () => ({ path: '/usr/bin/ffmpeg' }) };

function probeWith(script: (c: string, a: readonly string[]) => FakeBehaviour): { probe: V4l2NodeProbe; spawner: FakeSpawner } {
  const spawner = new FakeSpawner(script);
  const launcher = launcherFor(spawner);
  return { probe: new V4l2NodeProbe(new V4l2Ctl(launcher), FFMPEG, launcher), spawner };
}

describe('V4L2 node probe', () => {
  it('reads modes and controls of a capture node through v4l2-ctl', async () => {
    const { probe, spawner } = probeWith(recordedV4l2Ctl(LAB_PC));
    const found = await probe.describe('/dev/video0');
    expect(found.formatSource).to.equal('v4l2-ctl');
    expect(found.notes).to.deep.equal([]);
    expect(found.capabilities.modes).to.deep.include({ width: 1920, height: 1080, fps: 30, pixel_format: 'mjpeg' });
    expect(found.capabilities.controls.map((c) => c.name)).to.include.members(['brightness', 'auto_exposure', 'exposure_time_absolute']);
    expect(spawner.calls.map((c) => `${c.command} ${c.args.join(' ')}`)).to.deep.equal([
      'v4l2-ctl -d /dev/video0 --info', 'v4l2-ctl -d /dev/video0 --list-formats-ext', 'v4l2-ctl -d /dev/video0 --list-ctrls-menus',
    ]);
  });

  it('refuses a UVC metadata node, naming its caps', async () => {
    const { probe } = probeWith(recordedV4l2Ctl(LAB_PC));
    const error = await rejectionOf(probe.describe('/dev/video1'));
    expect(error).to.include({ kind: 'DEVICE_FAILED' });
    expect(error.message).to.contain('/dev/video1 is not a video capture node (its caps: Metadata Capture, Streaming, Extended Pix Format)');
  });

  it('fails with v4l2-ctl\'s words when the node cannot be opened (camera gone)', async () => {
    const { probe } = probeWith(recordedV4l2Ctl(LAB_PC));
    const error = await rejectionOf(probe.describe('/dev/video30'));
    expect(error.message).to.equal('Camera /dev/video30 could not be probed: exited with code 1: Cannot open device /dev/video30, exiting.');
  });

  it('falls back to ffmpeg\'s listing without v4l2-ctl: same sizes, 30 fps assumed, no controls', async () => {
    const { probe, spawner } = probeWith((command) => (command === 'v4l2-ctl'
      ? { spawnError: 'ENOENT' }
      : { stderr: cameraFixture('logitech_c920/video0.ffmpeg-list-formats.txt'), code: 1 }));
    const found = await probe.describe('/dev/video0');
    expect(found.formatSource).to.equal('ffmpeg');
    expect(found.capabilities.controls).to.deep.equal([]);
    expect(found.capabilities.modes).to.deep.include({ width: 1920, height: 1080, fps: 30, pixel_format: 'mjpeg' });
    expect(found.notes).to.have.length(2);
    expect(spawner.calls.find((c) => c.command === '/usr/bin/ffmpeg')?.args).to.deep.equal(['-hide_banner', '-nostdin', '-f', 'v4l2', '-list_formats', 'all', '-i', '/dev/video0']);
  });

  it('sets a control with v4l2-ctl --set-ctrl, and reports the camera\'s refusal as -1014', async () => {
    const refusing = (command: string, args: readonly string[]): FakeBehaviour =>
      (args.some((a) => a.startsWith('--set-ctrl=zoom')) ? { stderr: 'VIDIOC_S_EXT_CTRLS: failed: Input/output error\n', code: 255 } : recordedV4l2Ctl(LAB_PC)(command, args));
    const { probe, spawner } = probeWith(refusing);
    await probe.setControl('/dev/video0', 'brightness', 90);
    expect(spawner.calls.at(-1)?.args).to.deep.equal(['-d', '/dev/video0', '--set-ctrl=brightness=90']);
    const error = await rejectionOf(probe.setControl('/dev/video0', 'zoom_absolute', 200));
    expect(error).to.include({ kind: 'INVALID_CONTROL', code: -1014 });
    expect(error.message).to.contain('refused zoom_absolute=200').and.to.contain('VIDIOC_S_EXT_CTRLS: failed: Input/output error');
  });

  it('with v4l-utils that exit 0 on failure: a failed set still fails, a listing with a failed value still counts', async () => {
    const oldTool = (command: string, args: readonly string[]): FakeBehaviour => {
      if (args.some((a) => a.startsWith('--set-ctrl='))) return { stderr: 'VIDIOC_S_EXT_CTRLS: failed: Permission denied\n', code: 0 };
      const recorded = recordedV4l2Ctl(LAB_PC)(command, args);
      return args.includes('--list-ctrls-menus') && 'stdout' in recorded
        ? { ...recorded, stderr: 'error 5 getting ext_ctrl Focus, Absolute\nVIDIOC_G_EXT_CTRLS: failed: Input/output error\n' } : recorded;
    };
    const { probe } = probeWith(oldTool);
    expect((await probe.describe('/dev/video0')).capabilities.controls).to.have.length(17);
    const error = await rejectionOf(probe.setControl('/dev/video0', 'brightness', 1));
    expect(error.message).to.equal('The camera at /dev/video0 refused brightness=1: VIDIOC_S_EXT_CTRLS: failed: Permission denied');
  });

  it('dispatches by device spec: V4L2 nodes to v4l2-ctl, synthetic cameras to their own probe', async () => {
    const spawner = new FakeSpawner(recordedV4l2Ctl(LAB_PC));
    const launcher = launcherFor(spawner);
    const probe = new CompositeDeviceProbe(new V4l2NodeProbe(new V4l2Ctl(launcher), FFMPEG, launcher),
      new SyntheticDeviceProbe(FFMPEG, launcher), new CameraDiscovery({ launcher, ffmpeg: FFMPEG, platform: 'linux', env: {} }));
    const synthetic: CameraIdentity = { backend: 'synthetic', stableId: 's', name: 's', devicePath: 'synthetic:320x240@15', usbPath: null };
    expect(await probe.probe(synthetic)).to.deep.equal({ modes: [{ width: 320, height: 240, fps: 15, pixel_format: 'mjpeg' }], controls: [] });
    expect(await probe.locate(synthetic)).to.equal(synthetic);
    expect(spawner.calls).to.deep.equal([]);
    const c920 = await probe.probe({ ...synthetic, devicePath: '/dev/video0' });
    expect(c920.controls).to.have.length(17);
  });
});
