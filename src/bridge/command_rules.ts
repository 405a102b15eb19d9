import { ModuleError } from '../errors/codes.js';
import type { StatusReportStatus } from '../generated/schema-types.js';
import type { ChannelState } from '../camera_core/state_machine.js';
import type { CanonicalCommand } from './commands.js';

/**
 * The state hosts see (status_report's enum): the channel's, except that a trial
 * interrupted by a camera loss still counts as recording, and closed after quit or shutdown.
 */
export type RuntimeState = StatusReportStatus['state'];

export function hostState(state: ChannelState<unknown>): Exclude<RuntimeState, 'closed'> {
  if (state.kind === 'reconnecting' && state.interrupted !== null) return 'recording';
  return state.kind;
}

/** What a refusal reports about the module (seed 001: the -1006 answer names camera and session). */
export interface RefusalContext {
  readonly sessionId: string | null;
  readonly cameraId: string | null;
}

type Rule = (state: RuntimeState, context: RefusalContext) => ModuleError | null;

const ok: Rule = () => null;
const needsDevice: Rule = (state) => (state === 'idle' ? new ModuleError('NO_DEVICE') : null);
const needsLiveCamera: Rule = (state) =>
  (state === 'reconnecting' ? new ModuleError('DEVICE_LOST', 'Camera was lost and is being reopened; try again after device_ready') : null);
const notWhileRecording = (what: string): Rule => (state, context) =>
  state === 'recording'
    ? new ModuleError('ALREADY_RECORDING', `Camera is currently recording; ${what}`, {
      data: { camera_id: context.cameraId, session_id: context.sessionId },
    })
    : null;
const all = (...rules: Rule[]): Rule => (state, context) => {
  for (const rule of rules) {
    const error = rule(state, context);
    if (error) return error;
  }
  return null;
};

/** Which command is legal in which state; an illegal one gets the error returned here. */
const RULES: Record<CanonicalCommand, Rule> = {
  assign_device: ok,
  unassign_device: needsDevice,
  unassign_all_devices: ok,
  start_recording: all(needsDevice, needsLiveCamera, notWhileRecording('pause it first')),
  stop_recording: all(needsDevice, (state) => (state === 'recording' ? null : new ModuleError('NOT_RECORDING'))),
  resume_recording: all(needsDevice, needsLiveCamera, notWhileRecording('nothing to resume'), (state) =>
    state === 'paused' ? null : new ModuleError('INVALID_STATE', 'No paused trial to resume')),
  start_session: notWhileRecording('pause it before starting a new session'),
  stop_session: ok,
  apply_config: ok,
  control_change: needsDevice,
  reprobe: needsDevice,
  get_status: ok,
  get_storage_info: ok,
  quit: ok,
  set_log_level: ok,
  take_snapshot: needsDevice,
  toggle_preview: ok,
  show_window: ok,
  hide_window: ok,
  get_geometry: ok,
  get_preview: needsDevice,
  capture_snapshot: needsDevice,
  set_resolution: needsDevice,
  set_fps: needsDevice,
};

export function checkAllowed(command: CanonicalCommand, state: RuntimeState, context: RefusalContext): ModuleError | null {
  if (state === 'closed' && command !== 'get_status' && command !== 'quit') {
    return new ModuleError('SHUTTING_DOWN', 'Module is shut down', { recoverable: false });
  }
  return RULES[command](state, context);
}
