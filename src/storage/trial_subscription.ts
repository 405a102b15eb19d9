import type { FrameHub } from '../camera_core/frame_hub.js';
import type { TrialRecorder } from './types.js';

/** Frames that may wait for a trial's files to open and for its writer (about 2 s at 30 fps). */
const TRIAL_QUEUE_FRAMES = 64;

/**
 * Makes a trial one subscriber of the camera's frame hub from the moment `record` is
 * handled: frames arriving while its files open wait in the hub's queue for it (dropped
 * ones are counted and reach the trial as lost), so its first frame is the first one
 * after the command. Returns the unsubscribe; it is also called if the trial never opens.
 */
export function subscribeTrial(hub: FrameHub, name: string, opening: Promise<TrialRecorder>): () => void {
  let trial: TrialRecorder | null = null;
  // Set before any frame's own continuation runs, so frames after the opening go straight through.
  opening.then((opened) => {
    trial = opened;
  }, () => undefined);
  const unsubscribe = hub.subscribe(name, (frame, delivery) => {
    if (trial !== null) {
      trial.onFrame(frame, delivery.droppedBefore);
      return undefined;
    }
    return opening.then((opened) => opened.onFrame(frame, delivery.droppedBefore));
  }, { maxQueueFrames: TRIAL_QUEUE_FRAMES });
  opening.catch(() => unsubscribe());
  return unsubscribe;
}
