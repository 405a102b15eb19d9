import type { CapturedFrame } from '../camera_core/types.js';
import type { ResolvedConfig } from '../config/config.js';
import { numberedName, type CandidateName } from './name_reserver.js';

/** How long one video file of a trial may run before the trial continues in the next one. */
export interface RotationPolicy {
  readonly intervalSeconds: number;
}

/** storage.rotation_seconds when set (tests), else storage.rotation_minutes. */
export function rotationFrom(config: ResolvedConfig): RotationPolicy {
  const { storage } = config;
  return { intervalSeconds: storage.rotation_seconds ?? storage.rotation_minutes * 60 };
}

/** The policy's interval in ns, worked out once per trial (rotationDue runs for every frame); null: no rotation. */
export function rotationIntervalNs(policy: RotationPolicy | null): bigint | null {
  return policy === null ? null : BigInt(Math.round(policy.intervalSeconds * 1e9));
}

/** A file is due for rotation once a frame arrives `intervalNs` or more after the file's first frame. */
export function rotationDue(intervalNs: bigint | null, firstArrivalNs: bigint | null, arrivalNs: bigint): boolean {
  if (intervalNs === null || firstArrivalNs === null) return false;
  return arrivalNs - firstArrivalNs >= intervalNs;
}

/** YYYYmmdd-HHMMSS in UTC: sorts by time and means the same in every time zone. */
export function utcStamp(unixNs: bigint): string {
  const iso = new Date(Number(unixNs / 1_000_000n)).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/**
 * Names for the file of a trial whose first file is named `trialName` that starts at
 * `firstFrameUnixNs` (UTC, the arrival of its first frame): `<trial name>_<YYYYmmdd-HHMMSS>`,
 * then `_2`, `_3`... for the NameReserver when taken.
 */
export function rotatedName(trialName: string, firstFrameUnixNs: bigint): CandidateName {
  return numberedName(`${trialName}_${utcStamp(firstFrameUnixNs)}`);
}

/**
 * Frames that arrive while one file closes and the next opens: kept in order and written
 * to the new file once it is open. Bounded like a writer's queue (capture.queue_max_frames);
 * a frame beyond the bound is refused and counted lost by the caller.
 */
export class FrameBacklog {
  private readonly frames: CapturedFrame[] = [];
  /** Frames refused (with their source gaps): once full it stays full, so all come after the last frame kept. */
  lostAfterLast = 0;

  constructor(private readonly limit: number) {}

  push(frame: CapturedFrame): boolean {
    if (this.frames.length >= this.limit) {
      this.lostAfterLast += frame.droppedBefore + 1;
      return false;
    }
    this.frames.push(frame);
    return true;
  }

  get size(): number {
    return this.frames.length;
  }

  drain(): CapturedFrame[] {
    return this.frames.splice(0, this.frames.length);
  }
}
