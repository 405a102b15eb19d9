/** One block of ffmpeg's `-progress` output, which ends with a `progress=` line. */
export interface ProgressReport {
  /** Frames that went through the encoder so far. */
  readonly frame: number | null;
  /** True for the last block ffmpeg writes (progress=end). */
  readonly end: boolean;
}

/**
 * Splits ffmpeg's `-progress` key=value stream into reports. Chunks may cut lines
 * anywhere, so the unfinished tail is kept for the next chunk.
 */
export class ProgressParser {
  private partial = '';
  private frame: number | null = null;

  constructor(private readonly onReport: (report: ProgressReport) => void) {}

  push(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line.trim());
  }

  private line(line: string): void {
    const separator = line.indexOf('=');
    if (separator <= 0) return;
    const key = line.slice(0, separator);
    const value = line.slice(separator + 1).trim();
    if (key === 'frame') {
      const frame = Number(value);
      this.frame = Number.isFinite(frame) ? frame : this.frame;
    } else if (key === 'progress') {
      this.onReport({ frame: this.frame, end: value === 'end' });
    }
  }
}
