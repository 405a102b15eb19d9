import { ModuleError } from '../errors/codes.js';
import type { CameraSession } from './camera_session.js';

/**
 * What one camera channel is doing, and exactly what it owns in that state.
 * idle: no camera open. capturing: frames flow, nothing is written. recording: `trial` is
 * being written. paused: capturing, and `trial` (finished by pause) may be resumed.
 * reconnecting: the camera was lost and is being reopened; `interrupted` is the trial that
 * was recording (continued when the camera is back), `paused` one that may be resumed.
 * T is the trial type (the storage layer's TrialRecorder); the channel only holds it.
 */
export type ChannelState<T> =
  | { readonly kind: 'idle' }
  | { readonly kind: 'capturing'; readonly camera: CameraSession }
  | { readonly kind: 'recording'; readonly camera: CameraSession; readonly trial: T }
  | { readonly kind: 'paused'; readonly camera: CameraSession; readonly trial: T }
  | { readonly kind: 'reconnecting'; readonly lost: CameraSession; readonly interrupted: T | null; readonly paused: T | null };

export type ChannelEvent<T> =
  | { readonly type: 'opened'; readonly camera: CameraSession }
  | { readonly type: 'trial_started'; readonly trial: T }
  /** The recording trial ended; resumable says whether resume_recording may continue it (pause). */
  | { readonly type: 'trial_ended'; readonly resumable: boolean }
  /** The paused trial may no longer be resumed (new session). */
  | { readonly type: 'paused_forgotten' }
  | { readonly type: 'lost' }
  /** The camera is back; continued says whether the interrupted trial goes on recording. */
  | { readonly type: 'returned'; readonly camera: CameraSession; readonly continued: boolean }
  | { readonly type: 'released' };

const illegal = (state: { kind: string }, event: { type: string }): ModuleError =>
  new ModuleError('INTERNAL', `camera channel: ${event.type} is not possible while ${state.kind}`);

/** The one transition function of a camera channel; anything not listed is a programming error. */
export function transition<T>(state: ChannelState<T>, event: ChannelEvent<T>): ChannelState<T> {
  if (event.type === 'released') return { kind: 'idle' };
  switch (state.kind) {
    case 'idle':
      if (event.type === 'opened') return { kind: 'capturing', camera: event.camera };
      break;
    case 'capturing':
    case 'paused':
      if (event.type === 'trial_started') return { kind: 'recording', camera: state.camera, trial: event.trial };
      if (event.type === 'paused_forgotten') return { kind: 'capturing', camera: state.camera };
      if (event.type === 'lost') {
        return { kind: 'reconnecting', lost: state.camera, interrupted: null, paused: state.kind === 'paused' ? state.trial : null };
      }
      break;
    case 'recording':
      if (event.type === 'trial_ended') {
        return event.resumable ? { kind: 'paused', camera: state.camera, trial: state.trial } : { kind: 'capturing', camera: state.camera };
      }
      if (event.type === 'lost') return { kind: 'reconnecting', lost: state.camera, interrupted: state.trial, paused: null };
      break;
    case 'reconnecting':
      if (event.type === 'trial_ended' && state.interrupted !== null) {
        return { ...state, interrupted: null, paused: event.resumable ? state.interrupted : null };
      }
      if (event.type === 'paused_forgotten') return { ...state, paused: null };
      if (event.type === 'returned') {
        if (event.continued && state.interrupted !== null) return { kind: 'recording', camera: event.camera, trial: state.interrupted };
        if (state.paused !== null) return { kind: 'paused', camera: event.camera, trial: state.paused };
        return { kind: 'capturing', camera: event.camera };
      }
      break;
  }
  throw illegal(state, event);
}

/** Every trial a state holds; a trial that drops out of this list can never be written again. */
export function trialsHeld<T>(state: ChannelState<T>): T[] {
  switch (state.kind) {
    case 'recording':
    case 'paused':
      return [state.trial];
    case 'reconnecting':
      return [state.interrupted, state.paused].filter((trial): trial is T => trial !== null);
    default:
      return [];
  }
}
