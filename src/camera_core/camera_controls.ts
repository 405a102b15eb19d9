import { ModuleError, toModuleError } from '../errors/codes.js';
import type { ResolvedConfig } from '../config/config.js';
import type { ConfigChange } from '../config/config_changes.js';
import type { ConfigStore } from '../config/config_store.js';
import type { StatusReporter } from '../events/status_reporter.js';
import type { ErrorReporter } from '../events/error_status.js';
import { findControl } from './controls/control_names.js';
import { validateControl, type ControlValue, type ValidatedControl } from './controls/control_values.js';
import { afterSet, applyOrder, inactiveNote } from './controls/control_dependencies.js';
import type { CameraChannel } from './camera_channel.js';
import type { CameraSession } from './camera_session.js';
import { liveCamera } from './live_camera.js';
import type { DeviceProbe } from './types.js';

const CONTROLS_PREFIX = 'controls.';

/**
 * Camera controls from control_change and from the config section `controls`: each value
 * is checked against the probed control (INVALID_CONTROL, -1014, stating what is allowed),
 * set through the DeviceProbe (v4l2-ctl --set-ctrl), and answered by control_changed whose
 * note says when the value waits for an automatic mode to be turned off.
 */
export class CameraControls {
  constructor(
    private readonly channel: CameraChannel<unknown>,
    private readonly probe: DeviceProbe,
    private readonly config: ConfigStore,
    private readonly reporter: StatusReporter,
    private readonly reportError: ErrorReporter,
  ) {}

  async change(name: string, value: ControlValue): Promise<void> {
    const camera = liveCamera(this.channel);
    await this.set(camera, validateControl(camera.capabilities.controls, name, value));
  }

  /**
   * Checks the controls an apply_config changes against the assigned camera before
   * anything is applied; throws INVALID_CONTROL for the first bad one. Without a camera
   * (or while it is being reopened) they are checked when it opens.
   */
  plan(next: ResolvedConfig, changes: readonly ConfigChange[]): ValidatedControl[] {
    const camera = this.channel.camera;
    if (!camera) return [];
    const names = changes.filter((c) => c.key.startsWith(CONTROLS_PREFIX)).map((c) => c.key.slice(CONTROLS_PREFIX.length));
    return applyOrder(names).map((name) => validateControl(camera.capabilities.controls, name, next.controls[name] as ControlValue));
  }

  async apply(planned: readonly ValidatedControl[]): Promise<void> {
    const camera = this.channel.camera;
    if (!camera) return;
    for (const checked of planned) await this.set(camera, checked);
  }

  /** Sets every configured control on a camera just opened; a value it does not take is reported and skipped. */
  async applyConfigured(camera: CameraSession): Promise<void> {
    const configured = this.config.current.controls;
    for (const name of applyOrder(Object.keys(configured))) {
      try {
        await this.set(camera, validateControl(camera.capabilities.controls, name, configured[name] as ControlValue));
      } catch (err) {
        const error = toModuleError(err);
        this.reportError(null, new ModuleError(error.kind, `Configured control ${name} not set: ${error.message}`, {
          field: `controls.${name}`, ...(error.data ? { data: error.data } : {}),
        }));
      }
    }
  }

  private async set(camera: CameraSession, checked: ValidatedControl): Promise<void> {
    const name = checked.control.name;
    await this.probe.setControl(camera.identity, name, checked.v4l2Value);
    camera.capabilities = { ...camera.capabilities, controls: afterSet(camera.capabilities.controls, checked.control, checked.value) };
    const control = findControl(camera.capabilities.controls, name) ?? checked.control;
    this.reporter.report('control_changed', { control: name, value: checked.value, note: inactiveNote(camera.capabilities.controls, control) });
  }
}
