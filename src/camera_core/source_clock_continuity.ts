import type { DeviceSpec } from './types.js';

/** Where a device's timestamps stood at its last frame. */
interface LastStamp {
  readonly sensorNs: bigint;
  readonly arrivalNs: bigint;
}

/**
 * Keeps the sensor timestamps of synthetic and replay cameras monotonic across capture
 * restarts (reconnect, mode change). Their timestamps are the source's own pts, which start
 * at 0 with every new ffmpeg child, so a trial's CSV would jump back; a V4L2 camera's
 * kernel clock does not, and is left alone. A restarted capture continues from the last
 * timestamp of the same device plus the real time between the two arrivals.
 */
export class SourceClockContinuity {
  private readonly last = new Map<string, LastStamp>();

  /** The adjuster for one capture of this device, or null when its timestamps need none. */
  forCapture(device: DeviceSpec): CaptureTimestampAdjuster | null {
    const key = continuityKey(device);
    return key === null ? null : new CaptureTimestampAdjuster(key, this.last);
  }
}

/** Synthetic and replay devices restart their pts; real cameras' clocks run on. */
function continuityKey(device: DeviceSpec): string | null {
  switch (device.kind) {
    case 'synthetic':
      return `synthetic:${device.width}x${device.height}@${device.fps}`;
    case 'replay':
      return `replay:${device.path}`;
    default:
      return null;
  }
}

/** Shifts one capture's timestamps by a constant chosen at its first frame. */
export class CaptureTimestampAdjuster {
  private offsetNs: bigint | null = null;

  constructor(private readonly key: string, private readonly last: Map<string, LastStamp>) {}

  adjust(rawNs: bigint, arrivalNs: bigint): bigint {
    if (this.offsetNs === null) {
      const before = this.last.get(this.key);
      if (before === undefined) {
        this.offsetNs = 0n;
      } else {
        // At least 1 ns later: two arrivals may share a clock reading, a timestamp must not repeat.
        const gap = arrivalNs - before.arrivalNs;
        const continued = before.sensorNs + (gap > 0n ? gap : 1n);
        this.offsetNs = continued - rawNs;
      }
    }
    const sensorNs = rawNs + this.offsetNs;
    this.last.set(this.key, { sensorNs, arrivalNs });
    return sensorNs;
  }
}
