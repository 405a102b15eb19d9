export interface Timebase {
  readonly num: number;
  readonly den: number;
}

export interface FramecrcHandlers {
  /** A "#tb <stream>: num/den" header line for stream 0. */
  timebase(timebase: Timebase): void;
  /** One packet line of stream 0: "0, pts, dts, duration, size, 0xcrc[, side data]". */
  packet(pts: bigint, size: number): void;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const HASH = 0x23;
const COMMA = 0x2c;
const SPACE = 0x20;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Up to 15 decimal digits always fit a double exactly; longer numbers go through BigInt. */
const SAFE_DIGITS = 15;
const TIMEBASE_LINE = /^#tb (\d+): (\d+)\/(\d+)/;

/**
 * Reads ffmpeg's framecrc output as it streams in, across arbitrary chunk boundaries.
 * Packet lines are parsed straight from the bytes (no string per line): this runs once
 * per frame. Throws on a line it cannot read, since frame sizes would then be unknown.
 */
export class FramecrcParser {
  private partialLine: Buffer | null = null;
  private cursor = 0;
  private numberValue = 0;
  private numberStart = 0;
  private numberEnd = 0;
  private digitCount = 0;

  constructor(private readonly handlers: FramecrcHandlers) {}

  push(chunk: Buffer): void {
    let buffer = chunk;
    if (this.partialLine) {
      buffer = Buffer.concat([this.partialLine, chunk]);
      this.partialLine = null;
    }
    let lineStart = 0;
    for (let newline = buffer.indexOf(NEWLINE, lineStart); newline !== -1; newline = buffer.indexOf(NEWLINE, lineStart)) {
      const lineEnd = newline > lineStart && buffer[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
      if (lineEnd > lineStart) this.parseLine(buffer, lineStart, lineEnd);
      lineStart = newline + 1;
    }
    // Copied so the rest of a large chunk is not kept alive by a few trailing bytes.
    if (lineStart < buffer.length) this.partialLine = Buffer.from(buffer.subarray(lineStart));
  }

  /** Bytes of an unfinished last line (nonzero after the stream ended means it was cut). */
  get pendingBytes(): number {
    return this.partialLine?.length ?? 0;
  }

  private parseLine(buffer: Buffer, start: number, end: number): void {
    if (buffer[start] === HASH) {
      this.parseHeader(buffer.toString('latin1', start, end));
      return;
    }
    this.cursor = start;
    const stream = this.readInteger(buffer, end);
    const pts = this.readBigInteger(buffer, end);
    this.readInteger(buffer, end); // dts
    this.readInteger(buffer, end); // duration
    const size = this.readInteger(buffer, end);
    if (stream === null || pts === null || size === null || size < 0) {
      throw new Error(`Unreadable framecrc line: "${buffer.toString('latin1', start, end)}"`);
    }
    if (stream === 0) this.handlers.packet(pts, size);
  }

  private parseHeader(line: string): void {
    const match = TIMEBASE_LINE.exec(line);
    if (match && match[1] === '0') this.handlers.timebase({ num: Number(match[2]), den: Number(match[3]) });
  }

  /** Reads "  -123," from the cursor and moves past the comma; null if there is no number. */
  private readInteger(buffer: Buffer, end: number): number | null {
    if (!this.scanNumber(buffer, end)) return null;
    return this.digitCount > SAFE_DIGITS ? Number(buffer.toString('latin1', this.numberStart, this.numberEnd)) : this.numberValue;
  }

  private readBigInteger(buffer: Buffer, end: number): bigint | null {
    if (!this.scanNumber(buffer, end)) return null;
    return this.digitCount > SAFE_DIGITS
      ? BigInt(buffer.toString('latin1', this.numberStart, this.numberEnd))
      : BigInt(this.numberValue);
  }

  /** Leaves the number in numberValue/numberStart/numberEnd/digitCount (no object per field). */
  private scanNumber(buffer: Buffer, end: number): boolean {
    let index = this.cursor;
    while (index < end && buffer[index] === SPACE) index += 1;
    this.numberStart = index;
    const negative = index < end && buffer[index] === MINUS;
    if (negative) index += 1;
    let value = 0;
    let digits = 0;
    while (index < end) {
      const byte = buffer[index] ?? 0;
      if (byte < DIGIT_0 || byte > DIGIT_9) break;
      value = value * 10 + (byte - DIGIT_0);
      digits += 1;
      index += 1;
    }
    if (digits === 0) return false;
    this.numberEnd = index;
    this.numberValue = negative ? -value : value;
    this.digitCount = digits;
    while (index < end && buffer[index] !== COMMA) index += 1;
    this.cursor = index + 1;
    return true;
  }
}
