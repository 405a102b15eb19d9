import type { ConfigStore } from '../config/config_store.js';
import type { StatusReporter } from '../events/status_reporter.js';
import { selectModes } from './select_modes.js';
import { describeMode as describe, sameMode } from './mode_text.js';
import type { CameraChannel } from './camera_channel.js';
import { liveCamera } from './live_camera.js';
import type { DeviceProbe } from './types.js';

/**
 * reprobe: probes the camera again (controls' current values, modes) without touching the
 * capture. Only when the mode choice changes is capture reopened (by reopen), and never
 * during a trial: a recording goes on in the mode it started with.
 */
export async function reprobeCamera(
  channel: CameraChannel<unknown>,
  probe: DeviceProbe,
  config: ConfigStore,
  reporter: StatusReporter,
  reopen: () => Promise<void>,
): Promise<void> {
  const camera = liveCamera(channel);
  camera.capabilities = await probe.probe(camera.identity);
  const current = camera.selection.captureMode;
  const wanted = selectModes(camera.capabilities, config.current).captureMode;
  const changed = !sameMode(current, wanted);
  const recording = channel.writingTrial !== null;
  const restart = changed && !recording;
  const note = !changed ? null : recording
    ? `the camera now suggests ${describe(wanted)} instead of ${describe(current)}; kept until the trial ends (pause, then reprobe)`
    : `capture reopened as ${describe(wanted)} (was ${describe(current)})`;
  reporter.report('device_capabilities', {
    camera_id: camera.cameraId, modes: [...camera.capabilities.modes], controls: [...camera.capabilities.controls],
    restarted_capture: restart, note,
  });
  if (restart) await reopen();
}
