import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CameraDiscovery, DEV_ROOT_ENV, SYSFS_ROOT_ENV } from '../../../src/camera_core/discovery/camera_discovery.js';
import { relocateV4l2Camera } from '../../../src/camera_core/discovery/relocate.js';
import type { CameraIdentity } from '../../../src/camera_core/types.js';
import { launcherFor } from '../../../src/process/run_command.js';
import { buildFakeSystem, LAB_PC, LAB_PC_C920_REPLUGGED, RASPBERRY_PI, type FakeSystem, type FakeUsbCamera } from '../../helpers/fake_cameras.js';
import { FakeSpawner, type FakeBehaviour } from '../../helpers/fake_spawner.js';
import { recordedV4l2Ctl } from '../../helpers/fake_v4l2_ctl.js';
import { cameraFixture } from '../../helpers/camera_fixtures.js';

const NO_FFMPEG = { require: (): never => { throw new Error('ffmpeg is not needed on Linux'); } };

describe('camera discovery on Linux (fake sysfs, recorded v4l2-ctl)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'cams-discovery-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const discover = (system: FakeSystem, script: (c: string, a: readonly string[]) => FakeBehaviour) => {
    const spawner = new FakeSpawner(script);
    const discovery = new CameraDiscovery({
      launcher: launcherFor(spawner), ffmpeg: NO_FFMPEG, platform: 'linux',
      env: { [SYSFS_ROOT_ENV]: system.sysfsRoot, [DEV_ROOT_ENV]: system.devRoot },
    });
    return { spawner, result: discovery.list() };
  };
  const labSystem = (cameras: readonly FakeUsbCamera[] = LAB_PC) =>
    buildFakeSystem(path.join(dir, 'lab'), cameras, [{ video: 10, name: 'vivid-000-vid-cap' }]);

  it('lists exactly the USB capture nodes: no metadata nodes, no non-USB node', async () => {
    const { result } = discover(labSystem(), recordedV4l2Ctl(LAB_PC));
    const { cameras, listingAvailable, notes } = await result;
    expect(listingAvailable).to.equal(true);
    expect(notes).to.deep.equal([]);
    expect(cameras.map((c) => [c.stableId, c.devicePath, c.name, c.usbPath, c.vidPid])).to.deep.equal([
      ['usb1-1-2', '/dev/video0', 'HD Pro Webcam C920', '1-2', '046d:08e5'],
      ['usb1-1-3', '/dev/video2', 'Microsoft LifeCam VX-800', '1-3', '045e:0766'],
      ['usb2-2-1', '/dev/video4', 'Intel(R) RealSense(TM) Depth Ca', '2-1', '8086:0b07'],
      ['usb2-2-1:1.0#2', '/dev/video6', 'Intel(R) RealSense(TM) Depth Ca', '2-1', '8086:0b07'],
      ['usb2-2-1:1.3#0', '/dev/video8', 'Intel(R) RealSense(TM) Depth Ca', '2-1', '8086:0b07'],
    ]);
    expect(cameras[0]).to.deep.include({
      backend: 'usb', serial: '8D4A3B5F', driver: 'uvcvideo', captureCheck: 'device-caps',
      byId: ['/dev/v4l/by-id/usb-046d_HD_Pro_Webcam_C920_8D4A3B5F-video-index0'],
      byPath: ['/dev/v4l/by-path/pci-0000:00:14.0-usb-0:2:1.0-video-index0'],
    });
  });

  it('gives a camera behind a hub the RPi_Logger host\'s id (the port path, "1-1.2")', async () => {
    const system = buildFakeSystem(path.join(dir, 'pi'), RASPBERRY_PI, [{ video: 10, name: 'bcm2835-codec-decode' }]);
    const { cameras } = await discover(system, recordedV4l2Ctl(RASPBERRY_PI)).result;
    expect(cameras.map((c) => [c.stableId, c.devicePath, c.usbPath, c.vidPid])).to.deep.equal([['1-1.2', '/dev/video0', '1-1.2', '046d:082d']]);
  });

  it('without v4l2-ctl judges nodes by their sysfs index, to the same list, and says so', async () => {
    const { cameras, notes } = await discover(labSystem(), () => ({ spawnError: 'ENOENT' })).result;
    expect(cameras.map((c) => c.devicePath)).to.deep.equal(['/dev/video0', '/dev/video2', '/dev/video4', '/dev/video6', '/dev/video8']);
    expect(new Set(cameras.map((c) => c.captureCheck))).to.deep.equal(new Set(['index-heuristic']));
    expect(notes).to.have.length(10);
    expect(notes[0]).to.equal('/dev/video0: judged by its sysfs index (v4l2-ctl was not found on PATH)');
  });

  it('lets device caps decide even when the listing is space-indented and every node carries sysfs index 1', async () => {
    const oddCamera: FakeUsbCamera = {
      ...LAB_PC[0]!, fixtureDir: 'logitech_c920_space_indented',
      nodes: [{ video: 0, index: 1, iface: '1.0' }, { video: 1, index: 1, iface: '1.1' }],
    };
    const system = buildFakeSystem(path.join(dir, 'odd'), [oddCamera]);
    const { cameras, notes } = await discover(system, recordedV4l2Ctl([oddCamera])).result;
    expect(notes).to.deep.equal([]);
    expect(cameras.map((c) => [c.devicePath, c.captureCheck, c.captureEvidence])).to.deep.equal([
      ['/dev/video0', 'device-caps', 'v4l2-ctl --info device caps: Video Capture, Streaming, Extended Pix Format'],
    ]);
    // Without device caps the index guess is the last resort, and says so.
    const guessed = await discover(system, () => ({ spawnError: 'ENOENT' })).result;
    expect(guessed.cameras.map((c) => c.captureEvidence)).to.deep.equal([]);
    expect(guessed.notes[0]).to.equal('/dev/video0: judged by its sysfs index (v4l2-ctl was not found on PATH)');
  });

  it('asks v4l2-ctl about each USB node once and nothing about others', async () => {
    const { spawner, result } = discover(labSystem(), recordedV4l2Ctl(LAB_PC));
    await result;
    expect(spawner.calls.map((c) => c.args.join(' ')).sort()).to.deep.equal(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `-d /dev/video${n} --info`).sort());
  });

  it('reports a system without sysfs video nodes as such', async () => {
    const { cameras, listingAvailable } = await discover({ sysfsRoot: path.join(dir, 'none'), devRoot: path.join(dir, 'none') }, recordedV4l2Ctl(LAB_PC)).result;
    expect(cameras).to.deep.equal([]);
    expect(listingAvailable).to.equal(false);
  });

  describe('finding a camera again after an unplug', () => {
    const lost: CameraIdentity = { backend: 'usb', stableId: 'usb1-1-2', name: 'HD Pro Webcam C920', devicePath: '/dev/video0', usbPath: '1-2' };

    it('finds it by its stable id under a new node number', async () => {
      const { result } = discover(labSystem(LAB_PC_C920_REPLUGGED), recordedV4l2Ctl(LAB_PC_C920_REPLUGGED));
      expect(relocateV4l2Camera(lost, await result)).to.deep.equal({ ...lost, devicePath: '/dev/video11' });
    });

    it('is not back while its port has no capture node, even if its old node number is taken by another camera', async () => {
      // The C920 is away and the LifeCam, re-plugged meanwhile, got its old nodes.
      const others = LAB_PC.filter((c) => c.fixtureDir !== 'logitech_c920')
        .map((c) => (c.fixtureDir === 'microsoft_lifecam_vx800' ? { ...c, nodes: c.nodes.map((n) => ({ ...n, video: n.video - 2, recordedAs: n.video })) } : c));
      const found = await discover(labSystem(others), recordedV4l2Ctl(others)).result;
      expect(found.cameras.map((c) => c.devicePath)).to.include('/dev/video0');
      expect(relocateV4l2Camera(lost, found)).to.equal(null);
      // A host with ids of its own gets the old node back when it exists again.
      expect(relocateV4l2Camera({ ...lost, stableId: 'front-camera' }, found)).to.deep.equal({ ...lost, stableId: 'front-camera' });
      expect(relocateV4l2Camera({ ...lost, stableId: 'front-camera', devicePath: '/dev/video7' }, found)).to.equal(null);
    });

    it('tries the old node when there is no sysfs to look in', () => {
      expect(relocateV4l2Camera(lost, { platform: 'linux', cameras: [], listingAvailable: false, notes: [], emptyReason: 'no sysfs' })).to.deep.equal(lost);
    });
  });
});

describe('camera discovery on macOS and Windows (recorded ffmpeg listings)', () => {
  const listWith = (platform: NodeJS.Platform, fixture: string) => {
    const spawner = new FakeSpawner(() => ({ stderr: cameraFixture(fixture), code: 1 }));
    const discovery = new CameraDiscovery({ launcher: launcherFor(spawner), ffmpeg: { require: () => ({ path: '/opt/ffmpeg' }) }, platform, env: {} });
    return { spawner, result: discovery.list() };
  };

  it('lists AVFoundation cameras by name, as avfoundation: device paths', async () => {
    const { spawner, result } = listWith('darwin', 'ffmpeg_device_lists/avfoundation-macos13-ffmpeg5.1.txt');
    const { cameras, listingAvailable } = await result;
    expect(listingAvailable).to.equal(true);
    expect(cameras.map((c) => [c.backend, c.stableId, c.devicePath])).to.deep.equal([
      ['avfoundation', 'FaceTime HD Camera', 'avfoundation:FaceTime HD Camera'],
      ['avfoundation', 'HD Pro Webcam C920', 'avfoundation:HD Pro Webcam C920'],
      ['avfoundation', 'Jane’s iPhone Camera', 'avfoundation:Jane’s iPhone Camera'],
    ]);
    expect(spawner.calls[0]).to.deep.equal({ command: '/opt/ffmpeg', args: ['-hide_banner', '-f', 'avfoundation', '-list_devices', 'true', '-i', ''] });
  });

  it('lists DirectShow cameras with the USB port in their stable id and their VID:PID', async () => {
    const { cameras } = await listWith('win32', 'ffmpeg_device_lists/dshow-windows10-ffmpeg4.4.txt').result;
    expect(cameras.map((c) => [c.stableId, c.devicePath, c.vidPid])).to.deep.equal([
      ['usb#vid_04f2&pid_b6d9&mi_00#6&1b8a4e1f&0&0000', 'dshow:Integrated Camera', '04f2:b6d9'],
      ['usb#vid_046d&pid_082d&mi_00#7&2d2a35b5&0&0000', 'dshow:HD Pro Webcam C920', '046d:082d'],
    ]);
  });
});
