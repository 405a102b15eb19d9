import { selectModes } from '../camera_core/select_modes.js';
import { describeMode as describe, sameMode } from '../camera_core/mode_text.js';
import type { DeviceHandlers } from './device_handlers.js';
import { liveCamera } from './reconnect.js';
import type { CamerasRuntime } from './runtime.js';

/**
 * reprobe: probes the camera again (controls' current values, modes) without touching the
 * capture. Only when the mode choice changes is capture reopened, and never during a
 * trial: a recording goes on in the mode it started with.
 */
export async function reprobeCamera(rt: CamerasRuntime, devices: DeviceHandlers): Promise<void> {
  const camera = liveCamera(rt);
  camera.capabilities = await rt.probe.probe(camera.identity);
  const current = camera.selection.captureMode;
  const wanted = selectModes(camera.capabilities, rt.config.current).captureMode;
  const changed = !sameMode(current, wanted);
  const recording = rt.trial?.active === true;
  const restart = changed && !recording;
  const note = !changed ? null : recording
    ? `the camera now suggests ${describe(wanted)} instead of ${describe(current)}; kept until the trial ends (pause, then reprobe)`
    : `capture reopened as ${describe(wanted)} (was ${describe(current)})`;
  rt.reporter.report('device_capabilities', {
    camera_id: camera.cameraId, modes: [...camera.capabilities.modes], controls: [...camera.capabilities.controls],
    restarted_capture: restart, note,
  });
  if (restart) await devices.reopenCamera();
}
