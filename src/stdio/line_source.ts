import { BoundedLineSplitter, type BoundedLineHandlers } from './bounded_lines.js';

export interface LineSourceHandlers extends BoundedLineHandlers {
  /** The input ended or failed: no more lines will come. */
  readonly onEnd: () => void;
}

export interface LineSource {
  /** Stop reading (the input is paused, its listeners removed). */
  close(): void;
  readonly splitter: BoundedLineSplitter;
}

/** Feeds a readable stream through a BoundedLineSplitter, like readline but with a cap per line. */
export function readBoundedLines(input: NodeJS.ReadableStream, maxLineBytes: number, handlers: LineSourceHandlers): LineSource {
  const splitter = new BoundedLineSplitter(maxLineBytes, handlers);
  let open = true;
  const onData = (chunk: Buffer | string): void => {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  };
  const onEnd = (): void => {
    if (!open) return;
    splitter.end();
    close();
    handlers.onEnd();
  };
  // A broken stdin (EPIPE, EIO) means the host is gone: end as on end of input.
  const onError = (): void => onEnd();
  const close = (): void => {
    if (!open) return;
    open = false;
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('close', onEnd);
    input.pause();
  };
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('close', onEnd);
  input.on('error', onError);
  return { close, splitter };
}
