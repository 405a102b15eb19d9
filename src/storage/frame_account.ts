import { framesMissedBetween } from '../camera_core/frame_timing.js';
import type { CapturedFrame } from '../camera_core/types.js';
import type { VideoPart } from './video_part.js';

/** A camera loss inside a trial, for the metadata: the frame_index after the gap and the frames missed. */
export interface TrialGap {
  readonly frameIndex: number;
  readonly framesMissed: number;
}

/**
 * A trial's frame bookkeeping across all its files: the next frame_index, the frames lost
 * (source gaps, refused frames, frames that missed a file), the dropped_before of the next
 * row, and the gaps left by camera losses.
 */
export class FrameAccount {
  nextFrameIndex = 1;
  framesDropped = 0;
  readonly gaps: TrialGap[] = [];
  /** Frames lost since the last row (refused frames and their own gaps), for dropped_before. */
  private lostSinceLastRow = 0;
  /** Arrival of the last frame written, from which a resume after a camera loss counts the gap. */
  private lastArrivalNs: bigint | null = null;
  /** Set by resumed(countGap): the next first frame of a part counts the frames missed since then. */
  private gapSinceNs: bigint | null = null;

  constructor(private readonly captureFps: number) {}

  /**
   * The source gap before a frame routed to `part`, counted as dropped. A gap before the first
   * frame of the first or a resumed file lies outside the recording window, unless the trial
   * was resumed after a camera loss.
   */
  sourceGap(part: VideoPart, frame: CapturedFrame): number {
    const gap = part.framesSeen === 0 && !part.continuesWindow ? this.gapAfterLoss(frame) : frame.droppedBefore;
    this.framesDropped += gap;
    return gap;
  }

  /** The writer refused the frame (queue full). */
  refused(sourceGap: number): void {
    this.framesDropped += 1;
    this.lostSinceLastRow += sourceGap + 1;
  }

  /** The writer took the frame: its row's frame_index and dropped_before. */
  accepted(frame: CapturedFrame, sourceGap: number): { readonly frameIndex: number; readonly droppedBefore: number } {
    const row = { frameIndex: this.nextFrameIndex, droppedBefore: this.lostSinceLastRow + sourceGap };
    this.nextFrameIndex += 1;
    this.lostSinceLastRow = 0;
    this.lastArrivalNs = frame.arrival.monoNs;
    return row;
  }

  /** A frame that reaches no file, and the source gap before it. */
  lost(frame: CapturedFrame): void {
    const lost = frame.droppedBefore + 1;
    this.framesDropped += lost;
    this.lostSinceLastRow += lost;
  }

  /** Frames the frame hub dropped for this trial right before the one now delivered (its queue was full). */
  lostBeforeDelivery(count: number): void {
    this.framesDropped += count;
    this.lostSinceLastRow += count;
  }

  /** A frame refused by a full rotation backlog: its loss reaches dropped_before through lostAfterBacklog. */
  refusedByBacklog(frame: CapturedFrame): void {
    this.framesDropped += frame.droppedBefore + 1;
  }

  /** Frames refused after the backlog's last frame, for the dropped_before of the next row. */
  lostAfterBacklog(count: number): void {
    this.lostSinceLastRow += count;
  }

  /** Rows of frames that never reached their file: dropped, and their frame indexes given back. */
  discarded(count: number): void {
    this.framesDropped += count;
    this.nextFrameIndex -= count;
  }

  /** The trial continues into a new part; countGap: the time since the last frame is a camera loss. */
  resumed(countGap: boolean): void {
    this.lostSinceLastRow = 0;
    this.gapSinceNs = countGap ? this.lastArrivalNs : null;
  }

  /** Frames missed while the camera was away, at the nominal rate (0 unless resume asked to count them). */
  private gapAfterLoss(frame: CapturedFrame): number {
    const since = this.gapSinceNs;
    this.gapSinceNs = null;
    if (since === null) return 0;
    const framesMissed = framesMissedBetween(since, frame.arrival.monoNs, this.captureFps);
    this.gaps.push({ frameIndex: this.nextFrameIndex, framesMissed });
    return framesMissed;
  }
}
