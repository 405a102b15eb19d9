import type { StatusReportStatus } from '../generated/schema-types.js';
import { MODULE_NAME, MODULE_VERSION } from '../module_info.js';
import type { CamerasRuntime } from './runtime.js';
import { round2 } from './rounding.js';

/** get_status's answer: the state machine's state plus the recording state per device (seed 001). */
export function describeStatus(rt: CamerasRuntime): StatusReportStatus {
  const trial = rt.trial?.active ? rt.trial : null;
  const stats = trial?.stats() ?? null;
  return {
    state: rt.state,
    module: MODULE_NAME,
    version: MODULE_VERSION,
    camera_id: rt.camera?.cameraId ?? null,
    device_path: rt.camera?.identity.devicePath ?? null,
    recording: trial !== null,
    session_id: rt.session.id,
    trial_number: trial?.context.trialNumber ?? null,
    frames_recorded: stats?.framesRecorded ?? null,
    frames_dropped: stats?.framesDropped ?? rt.camera?.capture.stats().framesMissing ?? 0,
    current_file: stats?.currentFile ?? null,
    elapsed_seconds: stats ? round2(stats.elapsedSeconds) : null,
    ffmpeg: rt.ffmpegPayload(),
    config: rt.config.current,
  };
}
