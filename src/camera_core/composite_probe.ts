import type { ProcessLauncher } from '../process/run_command.js';
import { CameraDiscovery } from './discovery/camera_discovery.js';
import { relocateV4l2Camera } from './discovery/relocate.js';
import { parseDeviceSpec } from './device_spec.js';
import { SyntheticDeviceProbe, type LocatedFfmpeg } from './synthetic_probe.js';
import type { CameraCapabilities, CameraIdentity, DeviceProbe } from './types.js';
import { V4l2Ctl } from './v4l2/v4l2_ctl.js';
import { V4l2NodeProbe } from './v4l2/v4l2_probe.js';

/**
 * The module's DeviceProbe: V4L2 nodes are probed with v4l2-ctl (V4l2NodeProbe) and found
 * again after an unplug by their stable id (CameraDiscovery); synthetic, replay,
 * AVFoundation and DirectShow specs go to SyntheticDeviceProbe.
 */
export class CompositeDeviceProbe implements DeviceProbe {
  constructor(
    private readonly v4l2: V4l2NodeProbe,
    private readonly synthetic: SyntheticDeviceProbe,
    private readonly discovery: CameraDiscovery,
  ) {}

  async probe(identity: CameraIdentity): Promise<CameraCapabilities> {
    const spec = parseDeviceSpec(identity.devicePath);
    if (spec.kind !== 'v4l2') return this.synthetic.probe(identity);
    return (await this.v4l2.describe(spec.path)).capabilities;
  }

  async setControl(identity: CameraIdentity, control: string, value: number | boolean | string): Promise<void> {
    const spec = parseDeviceSpec(identity.devicePath);
    if (spec.kind !== 'v4l2') return this.synthetic.setControl(identity, control, value);
    return this.v4l2.setControl(spec.path, control, value);
  }

  async locate(identity: CameraIdentity): Promise<CameraIdentity | null> {
    if (parseDeviceSpec(identity.devicePath).kind !== 'v4l2') return this.synthetic.locate(identity);
    return relocateV4l2Camera(identity, await this.discovery.list());
  }
}

/** The probe the module uses: every tool through the given launcher (the ProcessRegistry, so shutdown ends probes in flight). */
export function createDeviceProbe(launcher: ProcessLauncher, ffmpeg: LocatedFfmpeg): CompositeDeviceProbe {
  return new CompositeDeviceProbe(
    new V4l2NodeProbe(new V4l2Ctl(launcher), ffmpeg, launcher),
    new SyntheticDeviceProbe(ffmpeg, launcher),
    new CameraDiscovery({ launcher, ffmpeg }),
  );
}
