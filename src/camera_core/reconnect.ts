import { performance } from 'node:perf_hooks';
import { ModuleError, toModuleError } from '../errors/codes.js';
import type { ConfigStore } from '../config/config_store.js';
import type { FfmpegProvider } from '../ffmpeg/provider.js';
import type { Logger } from '../logging/logger.js';
import { CameraSession } from './camera_session.js';
import type { CaptureSourceFactory, DeviceProbe } from './types.js';

/** The wait before attempt n (0-based): doubling from reconnect_initial_ms, capped at reconnect_max_ms. */
export function reconnectDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}

export interface ReconnectDeps {
  readonly probe: DeviceProbe;
  readonly ffmpeg: FfmpegProvider;
  readonly config: ConfigStore;
  readonly captureFactory: CaptureSourceFactory;
  readonly logger: Logger;
  /** Every attempt runs in the runtime's serial queue. */
  readonly enqueue: (task: () => Promise<void>) => Promise<void>;
  readonly onError: (err: unknown) => void;
}

/** Called in the queue once the lost camera is open again. */
export type CameraReturned = (camera: CameraSession, lostAtMs: number) => Promise<void>;

interface Outage {
  readonly lost: CameraSession;
  readonly lostAtMs: number;
  attempts: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Reopens a camera that stopped delivering frames: finds it again by its stable id
 * (DeviceProbe.locate; its device path may have changed) and opens it with capped
 * exponential backoff until it is back or the outage is cancelled (released, replaced).
 */
export class Reconnector {
  private outage: Outage | null = null;

  constructor(private readonly deps: ReconnectDeps, private readonly returned: CameraReturned) {}

  get active(): boolean {
    return this.outage !== null;
  }

  /** Starts waiting for the lost camera; returns the delay before the first attempt. */
  begin(lost: CameraSession): number {
    this.cancel();
    const outage: Outage = { lost, lostAtMs: performance.now(), attempts: 0, timer: null };
    this.outage = outage;
    return this.schedule(outage);
  }

  cancel(): void {
    if (this.outage?.timer) clearTimeout(this.outage.timer);
    this.outage = null;
  }

  private schedule(outage: Outage): number {
    const { reconnect_initial_ms: initial, reconnect_max_ms: max } = this.deps.config.current.capture;
    const delay = reconnectDelay(outage.attempts, initial, max);
    outage.timer = setTimeout(() => {
      outage.timer = null;
      this.deps.enqueue(() => this.attempt(outage)).catch(this.deps.onError);
    }, delay);
    outage.timer.unref();
    return delay;
  }

  private async attempt(outage: Outage): Promise<void> {
    if (this.outage !== outage) return;
    outage.attempts += 1;
    const { lost } = outage;
    let camera: CameraSession;
    try {
      const identity = await this.deps.probe.locate(lost.identity);
      if (!identity) throw new ModuleError('DEVICE_LOST', `no capture node with stable id ${lost.identity.stableId}`);
      this.deps.ffmpeg.require();
      camera = await CameraSession.open(identity, lost.deviceId, this.deps.config.current, this.deps.probe, this.deps.captureFactory);
    } catch (err) {
      const delay = this.schedule(outage);
      this.deps.logger.info(`camera ${lost.cameraId} not back (attempt ${outage.attempts}, next in ${delay} ms): ${toModuleError(err).message}`);
      return;
    }
    this.outage = null;
    await this.returned(camera, outage.lostAtMs);
  }
}
