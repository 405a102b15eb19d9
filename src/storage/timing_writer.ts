import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import Papa from 'papaparse';
import { ModuleError } from '../errors/codes.js';
import { writeFullyAt, type WritableFile } from './mkv/writable_file.js';
import { storageWriteError } from '../errors/write_errors.js';
import {
  TIMING_COLUMNS, TIMING_QUOTED_COLUMNS, timingRowFields, type TimingRow, type TimingRowContext,
} from './timing_format.js';

export interface TimingWriterOptions {
  readonly trial: number;
  /** The camera's stable id. */
  readonly deviceId: string;
  /** The trial label; null is written as ''. */
  readonly label: string | null;
  /** Continue an existing file (resume): no second header; a link in its place is refused. */
  readonly append?: boolean;
  /**
   * The file, created empty and exclusively (NameReserver) and opened by the FileSinks (plain
   * or encrypted, append-only); the writer owns it from here.
   */
  readonly file?: WritableFile;
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
/** Appending never follows a link planted at the timing file's name. */
const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0);

/**
 * The per-frame timing CSV. Rows wait in memory until the video writer reports their
 * frame committed (in the file), then go to disk on a short timer: after a kill -9 every
 * row on disk has its frame in the video file, and at most the last flush interval is lost.
 * A row on disk is never taken back: rows whose frames miss the file are discarded first.
 */
export class TimingCSVWriter {
  private uncommitted: string[][] = [];
  private ready: string[][] = [];
  private written = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: ModuleError | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: WritableFile,
    /** The file's size: rows are written at this offset. */
    private fileBytes: number,
    private readonly context: TimingRowContext,
    flushIntervalMs: number,
    private readonly onError: ((error: ModuleError) => void) | undefined,
  ) {
    // flush() never rejects: a failed write is reported through onError and close().
    this.timer = setInterval(() => void this.flush(), flushIntervalMs);
    this.timer.unref();
  }

  /**
   * Fills the reserved file (or creates it, 'wx': never over a recording) with its header,
   * or opens it to append.
   */
  static async open(path: string, options: TimingWriterOptions): Promise<TimingCSVWriter> {
    let handle: WritableFile;
    let fileBytes: number;
    try {
      if (options.file !== undefined) {
        handle = options.file;
        fileBytes = 0; // reserved empty
      } else {
        const opened = await open(path, options.append ? APPEND_NO_FOLLOW : 'wx');
        handle = opened;
        fileBytes = await opened.stat().then((s) => s.size, async (err: unknown) => {
          await opened.close().catch(() => undefined);
          throw err;
        });
      }
    } catch (err) {
      throw storageWriteError(err, path, 'opening the timing file', 'STORAGE_UNAVAILABLE');
    }
    try {
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

  /**
   * Writes every committed row and pushes them to the device; for a file that stays open
   * while its trial is paused (an encrypted one cannot be reopened to append).
   */
  async flushAndSync(): Promise<void> {
    await this.flush();
    if (this.failure !== null) throw this.failure;
    await this.handle.sync();
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

  private async writeRows(rows: string[][]): Promise<void> {
    if (this.failure !== null) return;
    const lines = rows.map((row) => Papa.unparse([row], UNPARSE_ROW) + NEWLINE);
    try {
      this.fileBytes = await writeTextAt(this.handle, lines.join(''), this.fileBytes);
      this.written += rows.length;
    } catch (err) {
      this.failure = storageWriteError(err, this.path, 'writing timing rows to');
      this.onError?.(this.failure);
    }
  }
}

/** Writes all of `text` at `position`; resolves with the offset after it. */
async function writeTextAt(handle: WritableFile, text: string, position: number): Promise<number> {
  const bytes = Buffer.from(text, 'utf8');
  await writeFullyAt(handle, bytes, position);
  return position + bytes.length;
}

export class DefaultTimingWriterFactory implements TimingWriterFactory {
  open(path: string, options: TimingWriterOptions): Promise<TimingCSVWriter> {
    return TimingCSVWriter.open(path, options);
  }
}
