/** No frame for this long while capturing means the camera is gone (unless the rate is so low that three intervals are longer). */
export const DEFAULT_STALL_TIMEOUT_MS = 1000;

/**
 * Notices a capture that stopped delivering frames while its child lives on (a camera
 * that hangs, or a USB device that vanished without the child noticing). Armed by the
 * first frame, re-armed by every frame, it calls onStall once.
 */
export class FrameWatchdog {
  readonly timeoutMs: number;
  private timer: NodeJS.Timeout | null = null;
  private frames = 0;
  private stopped = false;

  constructor(timeoutMs: number, fps: number, private readonly onStall: (reason: string) => void) {
    this.timeoutMs = timeoutMs <= 0 ? 0 : Math.max(timeoutMs, Math.ceil(3000 / fps));
  }

  frame(): void {
    if (this.timeoutMs === 0 || this.stopped) return;
    this.frames += 1;
    if (this.timer) {
      // refresh() also re-arms a timer that already fired.
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(this.expired, this.timeoutMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly expired = (): void => {
    const seen = this.frames;
    // After the event loop was blocked, timers run before the pipes are read: let waiting frames in first.
    setImmediate(() => {
      if (this.stopped || this.frames !== seen) return;
      this.stop();
      this.onStall(`no frame for ${this.timeoutMs} ms`);
    });
  };
}
