import type { ModuleError } from '../errors/codes.js';
import type { CameraSession } from './camera_session.js';
import { FrameHub } from './frame_hub.js';
import { transition, trialsHeld, type ChannelEvent, type ChannelState } from './state_machine.js';
import type { CaptureExit } from './types.js';

/** What the channel tells its owner; every callback runs synchronously inside apply() or a capture event. */
export interface ChannelHooks<T> {
  /** The open capture ended without being asked to (unplug, crash, stall). */
  captureEnded(camera: CameraSession, exit: CaptureExit): void;
  captureError(camera: CameraSession, error: ModuleError): void;
  /** A trial left the channel's state for good: nothing will write to it again. */
  trialReleased(trial: T): void;
}

/**
 * One camera: its explicit state (state_machine.ts), the frame hub every consumer
 * subscribes to, and the wiring of whichever capture is open into that hub. The hub lives
 * as long as the channel, so subscribers stay across capture restarts, mode changes and
 * reconnects. This is the one place that answers "which trial is current".
 */
export class CameraChannel<T> {
  readonly hub = new FrameHub();
  private current: ChannelState<T> = { kind: 'idle' };
  private detach: (() => void) | null = null;

  constructor(private readonly hooks: ChannelHooks<T>) {}

  get state(): ChannelState<T> {
    return this.current;
  }

  /** The camera delivering frames now (null while idle or reconnecting). */
  get camera(): CameraSession | null {
    const state = this.current;
    return state.kind === 'idle' || state.kind === 'reconnecting' ? null : state.camera;
  }

  /** The camera assigned to the channel, also while it is lost and being reopened. */
  get assigned(): CameraSession | null {
    const state = this.current;
    if (state.kind === 'idle') return null;
    return state.kind === 'reconnecting' ? state.lost : state.camera;
  }

  /** The trial the host sees recording: the one being written, or the one a camera loss interrupted. */
  get trial(): T | null {
    const state = this.current;
    if (state.kind === 'recording') return state.trial;
    return state.kind === 'reconnecting' ? state.interrupted : null;
  }

  /** The trial writing frames right now (never during an outage). */
  get writingTrial(): T | null {
    return this.current.kind === 'recording' ? this.current.trial : null;
  }

  /** The trial resume_recording would continue. */
  get pausedTrial(): T | null {
    const state = this.current;
    if (state.kind === 'paused') return state.trial;
    return state.kind === 'reconnecting' ? state.paused : null;
  }

  apply(event: ChannelEvent<T>): void {
    const before = this.current;
    const after = transition(before, event);
    this.current = after;
    const cameraBefore = before.kind === 'idle' || before.kind === 'reconnecting' ? null : before.camera;
    const cameraAfter = this.camera;
    if (cameraBefore !== cameraAfter) {
      this.detach?.();
      this.detach = cameraAfter ? this.wire(cameraAfter) : null;
    }
    const still = new Set(trialsHeld(after));
    for (const trial of trialsHeld(before)) if (!still.has(trial)) this.hooks.trialReleased(trial);
  }

  private wire(camera: CameraSession): () => void {
    const unhook = this.hub.attach(camera.capture);
    const onEnded = (exit: CaptureExit): void => {
      if (this.camera === camera && !exit.requested) this.hooks.captureEnded(camera, exit);
    };
    const onError = (error: ModuleError): void => this.hooks.captureError(camera, error);
    camera.capture.on('ended', onEnded);
    camera.capture.on('error', onError);
    return () => {
      unhook();
      camera.capture.off('ended', onEnded);
      camera.capture.off('error', onError);
    };
  }
}
