import { open, type FileHandle } from 'node:fs/promises';
import Papa from 'papaparse';
import { ModuleError } from '../errors/codes.js';
import { writeFullyAt } from './mkv/writable_file.js';
import { storageWriteError } from './write_errors.js';
import {
  TIMING_COLUMNS, TIMING_QUOTED_COLUMNS, timingRowFields, type TimingRow, type TimingRowContext,
} from './timing_format.js';

export interface TimingWriterOptions {
  readonly trial: number;
  /** The camera's stable id. */
  readonly deviceId: string;
  /** The trial label; null is written as ''. */
  readonly label: string | null;
  /** Continue an existing file (resume): no second header. */
  readonly append?: boolean;
  /** At most 500 ms, so a crash loses well under a second of rows. */
  readonly flushIntervalMs?: number;
  /** A background flush failed (the file stops growing; close() rejects with the same error). */
  readonly onError?: (error: ModuleError) => void;
}

export interface TimingWriterFactory {
  open(path: string, options: TimingWriterOptions): Promise<TimingCSVWriter>;
}

const DEFAULT_FLUSH_MS = 250;
const MAX_FLUSH_MS = 500;
const NEWLINE = '\n';
/** One options object for every row (papaparse only reads it). */
const UNPARSE_ROW: Papa.UnparseConfig = { quotes: [...TIMING_QUOTED_COLUMNS], newline: NEWLINE, header: false };
/**
 * Rows written that can still be taken back (an encoder that died had counted frames it
 * never wrote: about a second of video plus its queue). Far more than that.
 */
const MAX_RETRACTABLE_ROWS = 4096;

/**
 * The per-frame timing CSV. Rows wait in memory until the video writer reports their
 * frame committed, then go to disk on a short timer: after a kill -9 every row on disk
 * has its frame in the video file, and at most the last flush interval is lost.
 */
export class TimingCSVWriter {
  private uncommitted: string[][] = [];
  private ready: string[][] = [];
  private written = 0;
  /** Where each of the last rows on disk starts, oldest first, so they can be cut off again. */
  private rowStarts: number[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: ModuleError | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** The file's size: rows are written at this offset (explicitly, so a truncate leaves no hole). */
    private fileBytes: number,
    private readonly context: TimingRowContext,
    flushIntervalMs: number,
    private readonly onError: ((error: ModuleError) => void) | undefined,
  ) {
    // flush() never rejects: a failed write is reported through onError and close().
    this.timer = setInterval(() => void this.flush(), flushIntervalMs);
    this.timer.unref();
  }

  /** Creates the file with its header ('wx': never over a recording), or opens it to append. */
  static async open(path: string, options: TimingWriterOptions): Promise<TimingCSVWriter> {
    let handle: FileHandle;
    try {
      handle = await open(path, options.append ? 'a' : 'wx');
    } catch (err) {
      throw storageWriteError(err, path, 'opening the timing file', 'STORAGE_UNAVAILABLE');
    }
    let fileBytes: number;
    try {
      fileBytes = (await handle.stat()).size;
      if (fileBytes === 0) fileBytes = await writeTextAt(handle, `${TIMING_COLUMNS.join(',')}${NEWLINE}`, 0);
    } catch (err) {
      await handle.close().catch(() => undefined); // the write error is the one worth reporting
      throw storageWriteError(err, path, 'writing the header of');
    }
    const flushMs = Math.min(Math.max(options.flushIntervalMs ?? DEFAULT_FLUSH_MS, 1), MAX_FLUSH_MS);
    const context = { trial: options.trial, deviceId: options.deviceId, label: options.label ?? '' };
    return new TimingCSVWriter(path, handle, fileBytes, context, flushMs, options.onError);
  }

  /** Holds the row until commit() says its frame is in the video file. */
  add(row: TimingRow): void {
    this.uncommitted.push(timingRowFields(this.context, row));
  }

  /** The oldest `count` waiting rows have their frames on disk; they may be written. */
  commit(count: number): void {
    if (count <= 0) return;
    this.ready.push(...this.uncommitted.splice(0, count));
  }

  /**
   * Takes back the last `count` committed rows: their frames turned out not to be in the
   * video file after all. Rows still in memory are dropped; rows already written are cut
   * off the file. Resolves with how many were taken back; rejects if that is impossible.
   */
  async retractCommitted(count: number): Promise<number> {
    if (count <= 0) return 0;
    const fromMemory = Math.min(count, this.ready.length);
    this.ready.splice(this.ready.length - fromMemory, fromMemory);
    const fromFile = count - fromMemory;
    if (fromFile === 0) return count;
    const cut = this.writing.then(() => this.cutRows(fromFile));
    this.writing = cut.catch(() => undefined); // the caller hears of a failed cut; later writes still run
    await cut;
    return count;
  }

  /** Rows whose frames never reached the file (writer failure); returns how many. */
  discardUncommitted(): number {
    const count = this.uncommitted.length;
    this.uncommitted = [];
    return count;
  }

  get rowsWritten(): number {
    return this.written;
  }

  get rowsWaiting(): number {
    return this.uncommitted.length + this.ready.length;
  }

  /** Writes every committed row; resolves once they are with the OS. */
  flush(): Promise<void> {
    if (this.ready.length > 0 && this.failure === null) {
      const rows = this.ready;
      this.ready = [];
      this.writing = this.writing.then(() => this.writeRows(rows));
    }
    return this.writing;
  }

  /** Flushes committed rows and closes; rejects if any row could not be written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
    if (this.failure !== null) throw this.failure;
  }

  private async cutRows(count: number): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (count > this.rowStarts.length) {
      throw new ModuleError('INTERNAL', `Cannot take back ${count} timing rows of ${this.path}: only the last ${this.rowStarts.length} are tracked`);
    }
    const start = this.rowStarts[this.rowStarts.length - count]!;
    try {
      await this.handle.truncate(start);
    } catch (err) {
      throw storageWriteError(err, this.path, 'taking back timing rows in');
    }
    this.rowStarts.length -= count;
    this.fileBytes = start;
    this.written -= count;
  }

  private async writeRows(rows: string[][]): Promise<void> {
    if (this.failure !== null) return;
    const lines = rows.map((row) => Papa.unparse([row], UNPARSE_ROW) + NEWLINE);
    try {
      const start = this.fileBytes;
      this.fileBytes = await writeTextAt(this.handle, lines.join(''), start);
      let offset = start;
      for (const line of lines) {
        this.rowStarts.push(offset);
        offset += Buffer.byteLength(line, 'utf8');
      }
      if (this.rowStarts.length > 2 * MAX_RETRACTABLE_ROWS) this.rowStarts = this.rowStarts.slice(-MAX_RETRACTABLE_ROWS);
      this.written += rows.length;
    } catch (err) {
      this.failure = storageWriteError(err, this.path, 'writing timing rows to');
      this.onError?.(this.failure);
    }
  }
}

/** Writes all of `text` at `position`; resolves with the offset after it. */
async function writeTextAt(handle: FileHandle, text: string, position: number): Promise<number> {
  const bytes = Buffer.from(text, 'utf8');
  await writeFullyAt(handle, bytes, position);
  return position + bytes.length;
}

export class DefaultTimingWriterFactory implements TimingWriterFactory {
  open(path: string, options: TimingWriterOptions): Promise<TimingCSVWriter> {
    return TimingCSVWriter.open(path, options);
  }
}
