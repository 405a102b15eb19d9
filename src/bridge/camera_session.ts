import type { ResolvedConfig } from '../config/config.js';
import { selectModes, type ModeSelection } from '../camera_core/select_modes.js';
import { parseDeviceSpec } from '../camera_core/device_spec.js';
import type { CameraCapabilities, CameraIdentity, CapturedFrame, CaptureSource, CaptureSourceFactory, DeviceProbe } from '../camera_core/types.js';

/** One assigned camera: who it is, what it can do, the modes chosen and its running capture. */
export class CameraSession {
  /** The newest frame, kept by reference for take_snapshot (no copy per frame). */
  lastFrame: CapturedFrame | null = null;

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
    const session = new CameraSession(identity, `${identity.backend}:${identity.stableId}`, deviceId, capabilities, selection, capture);
    capture.on('frame', (frame) => {
      session.lastFrame = frame;
    });
    try {
      await capture.start();
    } catch (err) {
      // Not awaited: a child stuck opening its device may take seconds to die; the process registry still owns it.
      void capture.stop();
      throw err;
    }
    return session;
  }

  async close(): Promise<void> {
    this.capture.removeAllListeners('frame');
    await this.capture.stop();
  }
}
