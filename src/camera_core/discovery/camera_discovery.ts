import { describeFailure, runCommand, type ProcessLauncher } from '../../process/run_command.js';
import { formatDeviceSpec } from '../device_spec.js';
import type { LocatedFfmpeg } from '../synthetic_probe.js';
import { V4l2Ctl } from '../v4l2/v4l2_ctl.js';
import { parseAvfoundationDevices, parseDshowDevices, pnpInstance, vidPidFromPnpPath, type ListedDevice } from './ffmpeg_device_list.js';
import { discoverLinuxCameras } from './linux_discovery.js';
import type { DiscoveredCamera, DiscoveryResult } from './types.js';

export const SYSFS_ROOT_ENV = 'CAMERAS_SYSFS_ROOT';
export const DEV_ROOT_ENV = 'CAMERAS_DEV_ROOT';
const LIST_TIMEOUT_MS = 10_000;

export interface CameraDiscoveryOptions {
  readonly launcher: ProcessLauncher;
  /** Needed on macOS and Windows only, where ffmpeg lists the devices. */
  readonly ffmpeg: LocatedFfmpeg;
  readonly platform?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Lists the cameras of this machine: V4L2 capture nodes of USB devices on Linux (sysfs +
 * v4l2-ctl), AVFoundation devices on macOS and DirectShow devices on Windows (ffmpeg's
 * device listing).
 */
export class CameraDiscovery {
  private readonly platform: NodeJS.Platform;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: CameraDiscoveryOptions) {
    this.platform = options.platform ?? process.platform;
    this.env = options.env ?? process.env;
  }

  list(): Promise<DiscoveryResult> {
    switch (this.platform) {
      case 'darwin':
        return this.listThroughFfmpeg('avfoundation', ['-f', 'avfoundation', '-list_devices', 'true', '-i', '']);
      case 'win32':
        return this.listThroughFfmpeg('dshow', ['-f', 'dshow', '-list_devices', 'true', '-i', 'dummy']);
      default:
        return discoverLinuxCameras({
          sysfsRoot: this.env[SYSFS_ROOT_ENV] || '/sys',
          devRoot: this.env[DEV_ROOT_ENV] || '/dev',
          v4l2Ctl: new V4l2Ctl(this.options.launcher),
        });
    }
  }

  private async listThroughFfmpeg(kind: 'avfoundation' | 'dshow', args: string[]): Promise<DiscoveryResult> {
    // ffmpeg prints the list on stderr and exits 1 ("Immediate exit requested"): success is a parsable list.
    const run = await runCommand(this.options.launcher, this.options.ffmpeg.require().path, ['-hide_banner', ...args], {
      timeoutMs: LIST_TIMEOUT_MS,
    });
    const listed = kind === 'avfoundation' ? parseAvfoundationDevices(run.stderr) : parseDshowDevices(run.stderr);
    const failure = run.spawnError || run.timedOut ? describeFailure(run, LIST_TIMEOUT_MS) : null;
    return {
      platform: this.platform,
      cameras: withUniqueIds(listed.map((device) => listedCamera(kind, device))),
      listingAvailable: failure === null,
      notes: failure ? [`ffmpeg -f ${kind} -list_devices failed: ${failure}`] : [],
      emptyReason: listed.length > 0 ? null : failure ? `ffmpeg -f ${kind} -list_devices failed: ${failure}` : `ffmpeg -f ${kind} lists no video device`,
    };
  }
}

function listedCamera(kind: 'avfoundation' | 'dshow', device: ListedDevice): DiscoveredCamera {
  const pnp = device.alternativeName;
  return {
    backend: kind,
    // AVFoundation's listing carries no unique id: the name is what survives re-plugging.
    stableId: (pnp ? pnpInstance(pnp) : null) ?? device.name,
    name: device.name,
    devicePath: formatDeviceSpec({ kind, name: device.name }),
    usbPath: null,
    vidPid: pnp ? vidPidFromPnpPath(pnp) : null,
    serial: null,
    driver: null,
    byId: [],
    byPath: [],
    captureCheck: 'ffmpeg-listing',
    captureEvidence: `listed by ffmpeg -f ${kind} -list_devices`,
  };
}

/** Two cameras of the same model have the same name on macOS: number the later ones. */
function withUniqueIds(cameras: DiscoveredCamera[]): DiscoveredCamera[] {
  const seen = new Map<string, number>();
  return cameras.map((camera) => {
    const count = (seen.get(camera.stableId) ?? 0) + 1;
    seen.set(camera.stableId, count);
    return count === 1 ? camera : { ...camera, stableId: `${camera.stableId}#${count}` };
  });
}
