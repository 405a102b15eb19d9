import { isVideoCaptureNode, parseV4l2Info } from '../v4l2/info_parser.js';
import type { V4l2Ctl } from '../v4l2/v4l2_ctl.js';
import { assignStableIds } from './stable_id.js';
import { readVideoNodes, type SysfsVideoNode } from './sysfs_video_nodes.js';
import type { DiscoveredCamera, DiscoveryResult } from './types.js';
import { readV4lLinks } from './v4l_links.js';

export interface LinuxDiscoveryOptions {
  /** Usually /sys; CAMERAS_SYSFS_ROOT points it at a fake tree. */
  readonly sysfsRoot: string;
  /** Usually /dev (for /dev/v4l/by-id, by-path); CAMERAS_DEV_ROOT. */
  readonly devRoot: string;
  readonly v4l2Ctl: V4l2Ctl;
}

type CaptureVerdict = {
  readonly capture: boolean;
  readonly how: 'device-caps' | 'index-heuristic';
  /** What was seen: the device caps, or the index and why the caps were not available. */
  readonly evidence: string;
  readonly note?: string;
};

/**
 * USB cameras from sysfs: every video node of a USB device that captures pictures. UVC
 * cameras register a metadata node next to each capture node, with the same name; it is
 * told apart by its device caps (`v4l2-ctl --info`, however its listing is indented). Only
 * without device caps (no v4l2-ctl, a node that cannot be opened) the sysfs index decides: uvcvideo registers capture and metadata
 * nodes in pairs, so even indexes capture; other drivers' index 0 is the capture node.
 * Nodes of non-USB devices (codecs, ISPs, CSI cameras, vivid) are not listed.
 */
export async function discoverLinuxCameras(options: LinuxDiscoveryOptions): Promise<DiscoveryResult> {
  const { available, nodes, problem } = await readVideoNodes(options.sysfsRoot);
  const usbNodes = nodes.filter((n) => n.usb !== null);
  const judged = await Promise.all(usbNodes.map(async (node) => ({ node, verdict: await judge(node, options.v4l2Ctl) })));
  const notes = judged.flatMap(({ verdict }) => (verdict.note ? [verdict.note] : []));
  const captures = judged.filter(({ verdict }) => verdict.capture);
  const ids = assignStableIds(captures.map(({ node }) => node));
  const links = await readV4lLinks(options.devRoot);
  const cameras = captures.map(({ node, verdict }): DiscoveredCamera => {
    const usb = node.usb;
    const nodeLinks = links.get(node.node);
    return {
      backend: 'usb',
      stableId: ids.get(node) ?? node.node,
      name: node.name ?? usb?.product ?? node.node,
      devicePath: node.devicePath,
      usbPath: usb?.sysName ?? null,
      vidPid: usb?.vidPid ?? null,
      serial: usb?.serial ?? null,
      driver: node.driver,
      byId: nodeLinks?.byId ?? [],
      byPath: nodeLinks?.byPath ?? [],
      captureCheck: verdict.how,
      captureEvidence: verdict.evidence,
    };
  });
  return { platform: 'linux', cameras, listingAvailable: available, notes, emptyReason: cameras.length > 0 ? null : problem ?? whyNone(nodes) };
}

/** Why a readable listing holds no camera: no video node at all, or none of a USB camera. */
function whyNone(nodes: readonly SysfsVideoNode[]): string {
  if (nodes.length === 0) return 'no video device node exists (no camera plugged in, or its driver is not loaded)';
  const usb = nodes.filter((n) => n.usb !== null).length;
  if (usb === 0) return `${nodes.length} video node(s) exist (${nodes.map((n) => n.name ?? n.node).join(', ')}), none of them a USB camera`;
  return `the USB video node(s) ${nodes.filter((n) => n.usb !== null).map((n) => n.devicePath).join(', ')} capture no pictures (metadata nodes only)`;
}

async function judge(node: SysfsVideoNode, v4l2Ctl: V4l2Ctl): Promise<CaptureVerdict> {
  const answer = await v4l2Ctl.query(node.devicePath, '--info');
  if (answer.ok) {
    const info = parseV4l2Info(answer.stdout);
    if (info.deviceCaps.length > 0) {
      return { capture: isVideoCaptureNode(info), how: 'device-caps', evidence: `v4l2-ctl --info device caps: ${info.deviceCaps.join(', ')}` };
    }
  }
  // Last resort: the index says which node of a pair captures only for drivers that register in pairs.
  const index = node.index ?? node.number;
  const capture = node.driver === 'uvcvideo' ? index % 2 === 0 : (node.index ?? 0) === 0;
  const why = answer.ok ? 'v4l2-ctl --info printed no device caps' : answer.reason;
  return {
    capture, how: 'index-heuristic',
    evidence: `sysfs index ${node.index ?? `unknown, node number ${node.number}`} of a ${node.driver ?? 'unknown'} node (${why})`,
    note: `${node.devicePath}: judged by its sysfs index (${why})`,
  };
}
