export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

/** What the module logs through; the host decides where it goes. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Hosts whose logger can change level at run time implement this (set_log_level). */
  setLevel?(level: LogLevel): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Writes lines at or above a level to a stream (stderr for the stdio host: stdout is for statuses only). */
export class StreamLogger implements Logger {
  constructor(private readonly stream: NodeJS.WritableStream, public level: LogLevel = 'warn', private readonly name = 'cameras-usb2') {}

  setLevel(level: LogLevel): void { this.level = level; }

  debug(message: string, fields?: LogFields): void { this.write('debug', message, fields); }
  info(message: string, fields?: LogFields): void { this.write('info', message, fields); }
  warn(message: string, fields?: LogFields): void { this.write('warn', message, fields); }
  error(message: string, fields?: LogFields): void { this.write('error', message, fields); }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    this.stream.write(`${new Date().toISOString()} ${level.toUpperCase()} ${this.name}: ${message}${extra}\n`);
  }
}

export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
