import type { SysfsVideoNode, UsbDeviceInfo } from './sysfs_video_nodes.js';

/**
 * The RPi_Logger host's stable id for a USB camera (its linux camera backend):
 * "<root hub>-<device>" when the camera sits on a root-hub port ("usb1-1-2"), the bare
 * device name behind another hub ("1-1.2"). Both are port paths, so the id survives
 * unplugging and re-plugging into the same port, and matches what that host sends.
 */
export function usbStableId(usb: UsbDeviceInfo): string {
  return usb.parentName.startsWith('usb') ? `${usb.parentName}-${usb.sysName}` : usb.sysName;
}

/** Ids of the shapes usbStableId makes, with or without the per-node suffix of extra capture nodes. */
export function looksLikeUsbStableId(stableId: string): boolean {
  return /^(usb\d+-)?\d+-\d+(\.\d+)*(:\d+\.\d+#\d+)?$/.test(stableId);
}

/**
 * Stable ids for capture nodes. The first capture node of a USB device (lowest node
 * number, the one RPi_Logger picks) gets the device's id; further capture nodes of the
 * same device (a RealSense has depth, infrared and colour) get "<id>:<interface>#<index>",
 * e.g. "usb2-2-1:1.3#0", which is as stable as the port because interface and index are
 * fixed by the device's descriptors.
 */
export function assignStableIds(captureNodes: readonly SysfsVideoNode[]): Map<SysfsVideoNode, string> {
  const ids = new Map<SysfsVideoNode, string>();
  const taken = new Set<string>();
  for (const node of [...captureNodes].sort((a, b) => a.number - b.number)) {
    if (!node.usb) continue;
    const base = usbStableId(node.usb);
    if (!taken.has(base)) {
      ids.set(node, base);
      taken.add(base);
      continue;
    }
    const iface = node.interfaceName?.split(':')[1] ?? '0.0';
    ids.set(node, `${base}:${iface}#${node.index ?? node.number}`);
  }
  return ids;
}
