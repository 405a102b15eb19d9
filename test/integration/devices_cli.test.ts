import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { buildFakeSystem, LAB_PC, type FakeSystem } from '../helpers/fake_cameras.js';
import { installFakeV4l2Ctl, type FakeV4l2CtlInstall } from '../helpers/fake_v4l2_ctl.js';

interface CameraJson {
  stable_id: string;
  name: string;
  device_path: string;
  usb_path: string;
  vid_pid: string;
  capture_check: string;
  capture_evidence: string;
  format_source: string;
  assign_device: { camera_id: { backend: string; stable_id: string }; descriptor: { device_path: string } };
  formats: Array<{ fourcc: string; pixel_format: string | null }>;
  capabilities: { modes: Array<{ width: number; height: number; fps: number; pixel_format: string }>; controls: Array<Record<string, unknown>> };
  error: string | null;
}

const registry = new ProcessRegistry(new NodeProcessSpawner());

/** Runs `cameras-usb2 <args>` as a user would, with the fake sysfs and the fake v4l2-ctl first on PATH. */
async function runBin(args: string[], system: FakeSystem, fake: FakeV4l2CtlInstall): Promise<{ stdout: string; code: number | null; stderr: string }> {
  const env = { ...process.env, PATH: `${fake.binDir}${path.delimiter}${process.env.PATH ?? ''}`, CAMERAS_SYSFS_ROOT: system.sysfsRoot, CAMERAS_DEV_ROOT: system.devRoot };
  const proc = registry.start(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const chunks: Buffer[] = [];
  proc.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await proc.exited;
  return { stdout: Buffer.concat(chunks).toString('utf8'), code: exit.code, stderr: exit.stderrTail };
}

describe('npx cameras-usb2 devices (fake sysfs, fake v4l2-ctl printing real cameras\' output)', function () {
  this.timeout(30_000);
  let dir: string;
  let system: FakeSystem;
  let fake: FakeV4l2CtlInstall;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cams-devices-'));
    system = buildFakeSystem(path.join(dir, 'root'), LAB_PC, [{ video: 10, name: 'vivid-000-vid-cap' }]);
    fake = installFakeV4l2Ctl(dir, LAB_PC);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--json lists exactly the capture nodes, each with its modes, controls and an assign_device payload', async () => {
    const { stdout, code, stderr } = await runBin(['devices', '--json'], system, fake);
    expect(code, stderr).to.equal(0);
    const listing = JSON.parse(stdout) as { platform: string; listing_available: boolean; cameras: CameraJson[] };
    expect(listing).to.include({ platform: 'linux', listing_available: true });
    const cameras = listing.cameras;
    expect(cameras.map((c) => [c.stable_id, c.device_path, c.vid_pid, c.capture_check, c.error])).to.deep.equal([
      ['usb1-1-2', '/dev/video0', '046d:08e5', 'device-caps', null],
      ['usb1-1-3', '/dev/video2', '045e:0766', 'device-caps', null],
      ['usb2-2-1', '/dev/video4', '8086:0b07', 'device-caps', null],
      ['usb2-2-1:1.0#2', '/dev/video6', '8086:0b07', 'device-caps', null],
      ['usb2-2-1:1.3#0', '/dev/video8', '8086:0b07', 'device-caps', null],
    ]);

    const [c920, lifecam, depth, infrared, colour] = cameras as [CameraJson, CameraJson, CameraJson, CameraJson, CameraJson];
    expect(c920.assign_device).to.deep.equal({
      camera_id: { backend: 'usb', stable_id: 'usb1-1-2' },
      descriptor: { name: 'HD Pro Webcam C920', device_path: '/dev/video0', usb_path: '1-2' },
    });
    expect(c920.capture_evidence).to.equal('v4l2-ctl --info device caps: Video Capture, Streaming, Extended Pix Format');
    expect(c920.format_source).to.equal('v4l2-ctl');
    // The C920 listing: 17 MJPEG sizes at 7 rates each; YUYV 19 sizes, fewer rates above 800x448.
    const c920Modes = c920.capabilities.modes;
    expect(c920Modes.filter((m) => m.pixel_format === 'mjpeg')).to.have.length(119);
    expect(c920Modes.filter((m) => m.pixel_format === 'yuyv422')).to.have.length(98);
    expect(c920Modes).to.deep.include({ width: 1920, height: 1080, fps: 30, pixel_format: 'mjpeg' });
    expect(c920Modes).to.deep.include({ width: 2304, height: 1536, fps: 2, pixel_format: 'yuyv422' });
    expect(c920.capabilities.controls).to.have.length(17);
    expect(c920.capabilities.controls[0]).to.deep.equal({ name: 'brightness', type: 'int', min: 0, max: 255, step: 1, default: 128, value: 128 });
    expect(c920.capabilities.controls.find((c) => c['name'] === 'auto_exposure')?.['menu']).to.deep.equal([
      { value: 1, label: 'Manual Mode' }, { value: 3, label: 'Aperture Priority Mode' },
    ]);

    expect(new Set(lifecam.capabilities.modes.map((m) => m.pixel_format))).to.deep.equal(new Set(['yuyv422']));
    expect(lifecam.capabilities.modes).to.have.length(10);
    expect(lifecam.capabilities.controls.find((c) => c['name'] === 'brightness')).to.include({ min: -10, max: 10 });

    expect(new Set(depth.capabilities.modes.map((m) => m.pixel_format))).to.deep.equal(new Set(['gray16le']));
    expect(infrared.formats.map((f) => [f.fourcc, f.pixel_format])).to.deep.equal([['GREY', 'gray'], ['Y8I', null], ['Y12I', null]]);
    expect(new Set(infrared.capabilities.modes.map((m) => m.pixel_format))).to.deep.equal(new Set(['gray']));
    expect(colour.capabilities.modes).to.deep.include({ width: 1920, height: 1080, fps: 30, pixel_format: 'yuyv422' });

    const calls = fake.calls();
    expect(calls.filter((c) => c.endsWith('--list-formats-ext')).sort()).to.deep.equal(
      [0, 2, 4, 6, 8].map((n) => `-d /dev/video${n} --list-formats-ext`).sort());
    expect(calls.some((c) => c.includes('/dev/video10'))).to.equal(false);
  });

  it('prints a readable listing without --json', async () => {
    const { stdout, code } = await runBin(['devices'], system, fake);
    expect(code).to.equal(0);
    const lines = stdout.split('\n');
    expect(lines[0]).to.equal('usb1-1-2  HD Pro Webcam C920  /dev/video0  (USB 1-2, 046d:08e5, serial 8D4A3B5F)');
    expect(lines).to.include('usb1-1-3  Microsoft LifeCam VX-800  /dev/video2  (USB 1-3, 045e:0766)');
    expect(stdout).to.contain('  mjpeg: 640x480@30/24/20/15/10/7.5/5');
    expect(stdout).to.contain('auto_exposure menu {1:Manual Mode, 3:Aperture Priority Mode} = 3');
    expect(stdout).to.not.contain('/dev/video1 ').and.to.not.contain('vivid');
  });
});
