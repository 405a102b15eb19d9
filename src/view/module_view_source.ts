import type { CamerasModuleHandle } from '../module_handle.js';
import { inactiveNote } from '../camera_core/controls/control_dependencies.js';
import { telemetrySnapshot } from './metrics_model.js';
import { sendCommand } from './command_client.js';
import type { ViewCapabilities, ViewSource } from './view_source.js';

/** The web view's window on one module instance: reads from its runtime and channel, writes only through commands. */
export function moduleViewSource(handle: CamerasModuleHandle): ViewSource {
  const { runtime, events } = handle;
  const channel = runtime.channel;
  return {
    status: () => runtime.describeStatus(),
    telemetry: () => {
      const camera = channel.camera;
      return camera ? telemetrySnapshot(camera, channel.writingTrial, channel.hub) : null;
    },
    capabilities: (): ViewCapabilities | null => {
      const camera = channel.assigned;
      if (!camera) return null;
      const { modes, controls } = camera.capabilities;
      return {
        camera_id: camera.cameraId,
        name: camera.identity.name,
        modes,
        controls: controls.map((control) => ({ ...control, inactive_note: inactiveNote(controls, control) })),
        capture_mode: camera.selection.captureMode,
        record_mode: camera.selection.recordMode,
        passthrough: camera.selection.passthrough,
        mode_reason: camera.selection.reason,
      };
    },
    config: () => runtime.currentConfig,
    latestFrame: () => channel.hub.latest,
    subscribeFrames: (name, sink, options) => handle.tapFrames(name, sink, options),
    onStatus: (owner, listener) => events.on('status', owner, listener),
    storage: () => runtime.describeStorage(),
    send: (command, payload) => sendCommand(runtime, events, command, payload),
  };
}
