import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CAMERA_FIXTURES, cameraFixture } from './camera_fixtures.js';

/** One video node of a fake camera; its recorded v4l2-ctl outputs are <fixtureDir>/video<N>.<kind>.txt. */
export interface FakeNode {
  readonly video: number;
  /** sysfs index: the node's number among its v4l2 device's nodes. */
  readonly index: number;
  /** The USB interface the node hangs off, as in "1-2:<iface>". */
  readonly iface: string;
  /** The node number its recorded outputs were taken under, when it now has another (re-plugged). */
  readonly recordedAs?: number;
}

/** A USB camera as sysfs shows it. */
export interface FakeUsbCamera {
  /** Folder under test/fixtures/cameras with the camera's recorded tool outputs. */
  readonly fixtureDir: string;
  /** The host controller's sysfs path under devices/. */
  readonly controller: string;
  readonly bus: number;
  /** Port path below the root hub: "2" → device "1-2"; "1.2" → "1-1.2" behind hub "1-1". */
  readonly port: string;
  readonly vidPid: string;
  /** The kernel's node name (the product string, cut to 31 bytes by uvcvideo). */
  readonly name: string;
  readonly serial: string | null;
  readonly byIdPrefix: string;
  readonly nodes: readonly FakeNode[];
}

const XHCI = 'pci0000:00/0000:00:14.0';

/** A lab PC: a C920 (MJPEG + YUYV), a YUYV-only LifeCam, a RealSense with three capture nodes, and vivid (not USB). */
export const LAB_PC: readonly FakeUsbCamera[] = [
  {
    fixtureDir: 'logitech_c920', controller: XHCI, bus: 1, port: '2', vidPid: '046d:08e5', name: 'HD Pro Webcam C920',
    serial: '8D4A3B5F', byIdPrefix: 'usb-046d_HD_Pro_Webcam_C920_8D4A3B5F',
    nodes: [{ video: 0, index: 0, iface: '1.0' }, { video: 1, index: 1, iface: '1.0' }],
  },
  {
    fixtureDir: 'microsoft_lifecam_vx800', controller: XHCI, bus: 1, port: '3', vidPid: '045e:0766', name: 'Microsoft LifeCam VX-800',
    serial: null, byIdPrefix: 'usb-Microsoft_Microsoft_LifeCam_VX-800',
    nodes: [{ video: 2, index: 0, iface: '1.0' }, { video: 3, index: 1, iface: '1.0' }],
  },
  {
    fixtureDir: 'intel_realsense_d435', controller: XHCI, bus: 2, port: '1', vidPid: '8086:0b07', name: 'Intel(R) RealSense(TM) Depth Ca',
    serial: '031422250497', byIdPrefix: 'usb-Intel_R__RealSense_TM__Depth_Camera_435_031422250497',
    nodes: [
      { video: 4, index: 0, iface: '1.0' }, { video: 5, index: 1, iface: '1.0' }, { video: 6, index: 2, iface: '1.0' },
      { video: 7, index: 3, iface: '1.0' }, { video: 8, index: 0, iface: '1.3' }, { video: 9, index: 1, iface: '1.3' },
    ],
  },
];

/** The same cameras after the C920 was unplugged and plugged back into its port while its old nodes were taken: video11/video12. */
export const LAB_PC_C920_REPLUGGED: readonly FakeUsbCamera[] = LAB_PC.map((camera) => (camera.fixtureDir === 'logitech_c920'
  ? { ...camera, nodes: camera.nodes.map((n) => ({ ...n, video: n.video + 11, recordedAs: n.video })) }
  : camera));

/** A Raspberry Pi 3B+: the H.264 C920 behind the board's own hub, and the codec's video nodes (not USB). */
export const RASPBERRY_PI: readonly FakeUsbCamera[] = [
  {
    fixtureDir: 'logitech_c920_h264_rpi', controller: 'platform/soc/3f980000.usb', bus: 1, port: '1.2', vidPid: '046d:082d',
    name: 'HD Pro Webcam C920', serial: 'A1B2C3D4', byIdPrefix: 'usb-046d_HD_Pro_Webcam_C920_A1B2C3D4',
    nodes: [{ video: 0, index: 0, iface: '1.0' }, { video: 1, index: 1, iface: '1.0' }],
  },
];

export interface FakeSystem {
  readonly sysfsRoot: string;
  readonly devRoot: string;
}

/**
 * Writes a sysfs tree laid out like the kernel's (class/video4linux/videoN → devices/…/
 * <iface>/video4linux/videoN, "device" and "driver" links, USB attributes) and the
 * /dev/v4l/by-id and by-path links udev makes. Non-USB nodes hang off a platform device.
 */
export function buildFakeSystem(root: string, cameras: readonly FakeUsbCamera[], platformNodes: ReadonlyArray<{ video: number; name: string }> = []): FakeSystem {
  const sysfsRoot = path.join(root, 'sys');
  const devRoot = path.join(root, 'dev');
  const classDir = path.join(sysfsRoot, 'class', 'video4linux');
  const uvcDriver = path.join(sysfsRoot, 'bus', 'usb', 'drivers', 'uvcvideo');
  mkdirSync(classDir, { recursive: true });
  mkdirSync(uvcDriver, { recursive: true });
  mkdirSync(path.join(devRoot, 'v4l', 'by-id'), { recursive: true });
  mkdirSync(path.join(devRoot, 'v4l', 'by-path'), { recursive: true });
  for (const camera of cameras) {
    const usbDir = usbDeviceDir(sysfsRoot, camera);
    const [vendor, product] = camera.vidPid.split(':');
    write(usbDir, { idVendor: vendor, idProduct: product, product: camera.name, busnum: String(camera.bus), ...(camera.serial ? { serial: camera.serial } : {}) });
    for (const node of camera.nodes) {
      const ifaceDir = path.join(usbDir, `${path.basename(usbDir)}:${node.iface}`);
      write(ifaceDir, { bInterfaceNumber: node.iface.split('.')[1]?.padStart(2, '0'), bInterfaceClass: '0e' });
      if (!existsSync(path.join(ifaceDir, 'driver'))) symlinkSync(path.relative(ifaceDir, uvcDriver), path.join(ifaceDir, 'driver'));
      addNode(classDir, path.join(ifaceDir, 'video4linux'), `video${node.video}`, camera.name, node.index, `../../../${path.basename(ifaceDir)}`);
      const nodeName = `video${node.video}`;
      // A device with two UVC functions has two "index0" nodes; udev keeps the link of the last one.
      const byId = path.join(devRoot, 'v4l', 'by-id', `${camera.byIdPrefix}-video-index${node.index}`);
      rmSync(byId, { force: true });
      symlinkSync(`../../${nodeName}`, byId);
      const bus = `${camera.controller.startsWith('pci') ? 'pci' : 'platform'}-${camera.controller.split('/').pop()}`;
      const byPath = `${bus}-usb-0:${camera.port}:${node.iface}-video-index${node.index}`;
      symlinkSync(`../../${nodeName}`, path.join(devRoot, 'v4l', 'by-path', byPath));
    }
  }
  for (const node of platformNodes) {
    const dir = path.join(sysfsRoot, 'devices', 'platform', `${node.name}.0`);
    mkdirSync(dir, { recursive: true });
    addNode(classDir, path.join(dir, 'video4linux'), `video${node.video}`, node.name, 0, `../../../${node.name}.0`);
  }
  return { sysfsRoot, devRoot };
}

/** What the recorded v4l2-ctl of this node printed for an option, or null when the node is unknown. */
export function recordedV4l2Output(cameras: readonly FakeUsbCamera[], device: string, option: string): string | null {
  const kind = { '--info': 'info', '-D': 'info', '--list-formats-ext': 'formats', '--list-ctrls-menus': 'ctrls' }[option];
  const name = path.basename(device);
  const camera = cameras.find((c) => c.nodes.some((n) => `video${n.video}` === name));
  const node = camera?.nodes.find((n) => `video${n.video}` === name);
  if (!kind || !camera || !node) return null;
  const file = `${camera.fixtureDir}/video${node.recordedAs ?? node.video}.${kind}.txt`;
  return existsSync(new URL(file, CAMERA_FIXTURES)) ? cameraFixture(file) : null;
}

function usbDeviceDir(sysfsRoot: string, camera: FakeUsbCamera): string {
  let dir = path.join(sysfsRoot, 'devices', ...camera.controller.split('/'), `usb${camera.bus}`);
  const ports = camera.port.split('.');
  for (let depth = 1; depth <= ports.length; depth += 1) {
    const hubOrDevice = `${camera.bus}-${ports.slice(0, depth).join('.')}`;
    dir = path.join(dir, hubOrDevice);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

function addNode(classDir: string, parent: string, node: string, name: string, index: number, deviceLink: string): void {
  const dir = path.join(parent, node);
  const number = Number(node.replace('video', ''));
  write(dir, { name, index: String(index), dev: `81:${number}`, uevent: `MAJOR=81\nMINOR=${number}\nDEVNAME=${node}` });
  symlinkSync(deviceLink, path.join(dir, 'device'));
  symlinkSync(path.relative(classDir, dir), path.join(classDir, node));
}

function write(dir: string, files: Record<string, string | undefined>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) if (text !== undefined) writeFileSync(path.join(dir, name), `${text}\n`);
}
