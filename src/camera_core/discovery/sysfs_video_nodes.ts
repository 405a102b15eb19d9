import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../errors/errno.js';

/** The USB device a video node belongs to, from its sysfs directory. */
export interface UsbDeviceInfo {
  /** The device directory's name, which is its port path: "1-2", "1-1.2". */
  readonly sysName: string;
  /** The parent directory's name: "usb1" for a root-hub port, the hub's name ("1-1") behind a hub. */
  readonly parentName: string;
  readonly vidPid: string | null;
  readonly serial: string | null;
  readonly product: string | null;
}

export interface SysfsVideoNode {
  /** "video0" */
  readonly node: string;
  readonly number: number;
  /** /dev/<DEVNAME>, from uevent (the kernel's name for the device file). */
  readonly devicePath: string;
  readonly name: string | null;
  /** sysfs "index": the node's number among the nodes its driver registered for one device. */
  readonly index: number | null;
  readonly driver: string | null;
  /** The USB interface the node hangs off ("1-2:1.0"), or null when the parent is not an interface. */
  readonly interfaceName: string | null;
  /** Null for nodes that are not USB devices (platform cameras, codecs, vivid). */
  readonly usb: UsbDeviceInfo | null;
}

/**
 * Reads <sysfsRoot>/class/video4linux: one entry per video node with its name, index,
 * driver and, for USB devices, the USB device's port path and ids. `available` is false
 * when the directory does not exist (no V4L2 on this system, or a wrong root) or may not be
 * read; `problem` says which.
 */
export async function readVideoNodes(sysfsRoot: string): Promise<{ available: boolean; nodes: SysfsVideoNode[]; problem: string | null }> {
  const classDir = path.join(sysfsRoot, 'class', 'video4linux');
  let entries: string[];
  try {
    entries = await readdir(classDir);
  } catch (err) {
    if (isMissing(err)) return { available: false, nodes: [], problem: `${classDir} does not exist: no video device driver is loaded (or not Linux)` };
    if (errnoCode(err) === 'EACCES') return { available: false, nodes: [], problem: `${classDir} cannot be read: permission denied` };
    throw err;
  }
  const names = entries.filter((e) => /^video\d+$/.test(e)).sort((a, b) => nodeNumber(a) - nodeNumber(b));
  const nodes = await Promise.all(names.map((node) => readNode(path.join(classDir, node), node)));
  return { available: true, nodes, problem: null };
}

async function readNode(dir: string, node: string): Promise<SysfsVideoNode> {
  const [name, index, uevent, device] = await Promise.all([
    readText(path.join(dir, 'name')), readText(path.join(dir, 'index')), readText(path.join(dir, 'uevent')),
    resolveLink(path.join(dir, 'device')),
  ]);
  const devName = /^DEVNAME=(.+)$/m.exec(uevent ?? '')?.[1]?.trim() ?? node;
  const parsedIndex = index === null ? NaN : Number(index);
  const interfaceName = device && path.basename(device).includes(':') ? path.basename(device) : null;
  const usbDir = device ? (interfaceName ? path.dirname(device) : device) : null;
  return {
    node,
    number: nodeNumber(node),
    devicePath: `/dev/${devName}`,
    name,
    index: Number.isInteger(parsedIndex) ? parsedIndex : null,
    driver: device ? await driverOf(device) : null,
    interfaceName,
    usb: usbDir ? await readUsbDevice(usbDir) : null,
  };
}

async function readUsbDevice(dir: string): Promise<UsbDeviceInfo | null> {
  const [vendor, product, serial, productName] = await Promise.all([
    readText(path.join(dir, 'idVendor')), readText(path.join(dir, 'idProduct')),
    readText(path.join(dir, 'serial')), readText(path.join(dir, 'product')),
  ]);
  // Only USB device directories carry idVendor.
  if (vendor === null) return null;
  return {
    sysName: path.basename(dir),
    parentName: path.basename(path.dirname(dir)),
    vidPid: product === null ? null : `${vendor.toLowerCase()}:${product.toLowerCase()}`,
    serial,
    product: productName,
  };
}

async function driverOf(deviceDir: string): Promise<string | null> {
  const driver = await resolveLink(path.join(deviceDir, 'driver'));
  return driver ? path.basename(driver) : null;
}

async function readText(file: string): Promise<string | null> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === '' ? null : text;
  } catch (err) {
    // An attribute this user may not read (serial on some kernels) is as good as absent.
    if (isMissing(err) || errnoCode(err) === 'EACCES') return null;
    throw err;
  }
}

async function resolveLink(link: string): Promise<string | null> {
  try {
    return await realpath(link);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

function nodeNumber(node: string): number {
  return Number(node.replace(/^\D+/, ''));
}


function isMissing(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
