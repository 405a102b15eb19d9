import http, { type IncomingHttpHeaders } from 'node:http';

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body; for a stream (multipart preview, event stream) only what came with the head. */
  readonly body: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  /** Sent exactly as given: Host (none unless given), Origin and Content-Type too (fetch would not let a test set Host). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

const STREAMS = /^(multipart\/x-mixed-replace|text\/event-stream)/;

/** One request on a fresh connection to origin (http://host:port); streams are cut after their head. */
export function rawRequest(origin: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const outgoing = http.request({
      host: url.hostname, port: Number(url.port), method: request.method ?? 'GET', path: request.path,
      // Node sends a DELETE's body without a length unless told: the server would read it as a second request.
      headers: { ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }), ...request.headers },
      agent: false, setHost: false,
    }, (response) => {
      const chunks: Buffer[] = [];
      const done = (): void => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (STREAMS.test(response.headers['content-type'] ?? '')) {
        response.destroy();
        done();
        return;
      }
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', done);
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
