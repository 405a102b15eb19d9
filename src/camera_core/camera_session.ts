import type { ResolvedConfig } from '../config/config.js';
import { selectModes, type ModeSelection } from './select_modes.js';
import { parseDeviceSpec } from './device_spec.js';
import type { CameraCapabilities, CameraIdentity, CaptureSource, CaptureSourceFactory, DeviceProbe } from './types.js';

/** One opened camera: who it is, what it can do, the modes chosen and its running capture. */
export class CameraSession {
  private constructor(
    readonly identity: CameraIdentity,
    readonly cameraId: string,
    readonly deviceId: string,
    public capabilities: CameraCapabilities,
    readonly selection: ModeSelection,
    readonly capture: CaptureSource,
  ) {}

  /** Probes, chooses modes and starts capture; resolves once the first frame arrived. */
  static async open(
    identity: CameraIdentity,
    deviceId: string,
    config: ResolvedConfig,
    probe: DeviceProbe,
    captureFactory: CaptureSourceFactory,
  ): Promise<CameraSession> {
    const device = parseDeviceSpec(identity.devicePath);
    const capabilities = await probe.probe(identity);
    const selection = selectModes(capabilities, config);
    const capture = captureFactory.create({ device, mode: selection.captureMode, startTimeoutMs: config.capture.start_timeout_ms });
    try {
      await capture.start();
    } catch (err) {
      // Not awaited: a child stuck opening its device may take seconds to die; the process registry still owns it.
      void capture.stop();
      throw err;
    }
    return new CameraSession(identity, `${identity.backend}:${identity.stableId}`, deviceId, capabilities, selection, capture);
  }

  async close(): Promise<void> {
    await this.capture.stop();
  }
}
