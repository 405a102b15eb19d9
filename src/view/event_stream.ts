import type { ServerResponse } from 'node:http';

/** A page that has not read this much of its event stream is stalled: it misses ticks until it catches up. */
const MAX_BUFFERED_BYTES = 256 * 1024;

/** One page's server-sent event stream. */
export class EventStream {
  constructor(private readonly response: ServerResponse) {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // Tells EventSource how soon to reconnect after the stream breaks (module restart, network).
    response.write('retry: 1000\n\n');
  }

  get open(): boolean {
    return !this.response.destroyed && !this.response.writableEnded;
  }

  send(event: string, data: unknown): void {
    if (!this.open || this.response.writableLength > MAX_BUFFERED_BYTES) return;
    this.response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
