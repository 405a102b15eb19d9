import type { ServerResponse } from 'node:http';

/**
 * The view's long-lived responses (preview streams, metrics streams). The server waits for
 * open connections when it closes; these never end by themselves, so they are ended first.
 */
export class OpenStreams {
  private readonly open = new Map<ServerResponse, () => void>();

  /** release detaches the stream from the module (its hub subscription, its metrics listener); it runs once. */
  add(response: ServerResponse, release: () => void): void {
    let released = false;
    const once = (): void => {
      if (released) return;
      released = true;
      this.open.delete(response);
      release();
    };
    this.open.set(response, once);
    response.on('close', once);
    response.on('error', once);
  }

  get size(): number {
    return this.open.size;
  }

  /** Releases every stream at once (not on the sockets' later 'close'), then drops its connection. */
  endAll(): void {
    for (const [response, release] of [...this.open]) {
      release();
      response.destroy();
    }
  }
}
