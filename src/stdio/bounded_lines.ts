/** Default cap on one input line: a command is a few hundred bytes, so 1 MiB is generous. */
export const DEFAULT_MAX_INPUT_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

export interface BoundedLineHandlers {
  /** A complete line (without its newline), decoded as UTF-8. */
  readonly onLine: (line: string) => void;
  /** A line grew past the cap: called once per such line, as soon as it passes the cap. */
  readonly onOverlong: (limitBytes: number) => void;
}

/**
 * Splits a byte stream into lines while never holding more than `maxLineBytes` of one line.
 * readline keeps a whole line in memory (a 512 MB line ends the process with a RangeError);
 * here the rest of an over-long line is skipped chunk by chunk until its newline, unbuffered.
 */
export class BoundedLineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;
  private peak = 0;

  constructor(private readonly maxLineBytes: number, private readonly handlers: BoundedLineHandlers) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
  }

  /** The most bytes of one unfinished line held at any time (never above the cap). */
  get peakBufferedBytes(): number {
    return this.peak;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.take(chunk.subarray(start, end));
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** End of input: a last line without newline still counts. */
  end(): void {
    if (this.pendingBytes > 0) this.endLine();
    this.discarding = false;
  }

  private take(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      this.handlers.onOverlong(this.maxLineBytes);
      return;
    }
    // Copy: the caller's chunk may be a slice of a large pooled buffer we must not pin.
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
    this.peak = Math.max(this.peak, this.pendingBytes);
  }

  private endLine(): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const line = Buffer.concat(this.pending, this.pendingBytes).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    this.handlers.onLine(line);
  }
}
