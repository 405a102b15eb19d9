import { SyntheticDeviceProbe } from '../../../src/camera_core/synthetic_probe.js';
import { V4l2Ctl } from '../../../src/camera_core/v4l2/v4l2_ctl.js';
import { V4l2NodeProbe } from '../../../src/camera_core/v4l2/v4l2_probe.js';
import { launcherFor } from '../../../src/process/run_command.js';
import { NodeProcessSpawner } from '../../../src/process/spawner.js';
import type { CameraCapabilities, CameraIdentity, DeviceProbe } from '../../../src/camera_core/types.js';
import type { LocatedFfmpeg } from '../../../src/camera_core/synthetic_probe.js';

const NO_FFMPEG_NEEDED: LocatedFfmpeg = { require: (): never => { throw new Error('v4l2-ctl answers the control probe here') } };

/**
 * A synthetic camera (real ffmpeg capture of the spec's test pattern) that has the controls
 * of a real C920: the module's own V4L2 probe and control setter run against the fake
 * `v4l2-ctl` on PATH (test/helpers/fake_v4l2_ctl.ts), which prints the C920's recorded
 * `--list-ctrls-menus` and logs every `--set-ctrl`. The build machines have no USB camera;
 * this is how a control set in the page is seen to reach "the camera".
 */
export class RecordedControlsProbe implements DeviceProbe {
  private readonly synthetic: SyntheticDeviceProbe;
  private readonly v4l2: V4l2NodeProbe;

  constructor(private readonly controlNode = '/dev/video0') {
    const launcher = launcherFor(new NodeProcessSpawner());
    this.synthetic = new SyntheticDeviceProbe(NO_FFMPEG_NEEDED, launcher);
    this.v4l2 = new V4l2NodeProbe(new V4l2Ctl(launcher), NO_FFMPEG_NEEDED, launcher);
  }

  async probe(identity: CameraIdentity): Promise<CameraCapabilities> {
    const [own, recorded] = await Promise.all([this.synthetic.probe(identity), this.v4l2.describe(this.controlNode)]);
    return { modes: own.modes, controls: recorded.capabilities.controls };
  }

  setControl(_identity: CameraIdentity, control: string, value: number | boolean | string): Promise<void> {
    return this.v4l2.setControl(this.controlNode, control, value);
  }

  locate(identity: CameraIdentity): Promise<CameraIdentity | null> {
    return this.synthetic.locate(identity);
  }
}
