/**
 * Runs tasks strictly one after another in arrival order, so a `record` sent right after
 * `assign_device` waits for the device instead of racing it. A failing task does not stop
 * the queue; its error goes to the caller's promise.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  push<T>(task: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined).finally(() => {
      this.pending -= 1;
    });
    return run;
  }

  get depth(): number {
    return this.pending;
  }

  /** Resolves when everything queued so far has run. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }
}
