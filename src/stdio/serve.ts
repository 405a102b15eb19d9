import { EventEmitter } from 'eventemitter3';
import { createCamerasModule } from '../module_factory.js';
import type { HostBusEvents } from '../host/contract.js';
import { StreamLogger, type LogLevel } from '../logging/logger.js';
import type { StatusMessage } from '../events/statuses.js';
import { decodeLine, encodeStatus } from './wire.js';
import { translateStatus, type HostDialect } from './dialect.js';
import { readHostConfig } from './host_config.js';
import { readBoundedLines, type LineSource } from './line_source.js';
import { DEFAULT_MAX_INPUT_LINE_BYTES } from './bounded_lines.js';
import { startupFailure, STARTUP_FAILED_EXIT_CODE } from './startup_failure.js';
import { httpConfig, type HttpListen } from '../config/http_listen.js';
import { PassphraseRequired } from '../crypto/passphrase_kdf.js';

export interface StdioOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly errorOutput: NodeJS.WritableStream;
  readonly configPath?: string;
  readonly logLevel?: LogLevel;
  readonly instanceId?: string;
  readonly dialect?: HostDialect;
  /** The host's --output-dir and --session-prefix: defaults for storage.base_path and session_prefix. */
  readonly outputDir?: string;
  readonly sessionPrefix?: string;
  /** `--http HOST:PORT`: serve the web view and the clip API there. */
  readonly http?: HttpListen;
  /** `--segments`: keep the rolling segment ring. */
  readonly segments?: boolean;
  /** Handle SIGTERM/SIGINT by finalizing files and exiting (off in tests that run in-process). */
  readonly handleSignals?: boolean;
  /** Longest accepted input line in bytes (default 1 MiB); longer lines are answered with -1002 and skipped. */
  readonly maxLineBytes?: number;
  /** --key-file: encrypt every recording with this key file (turns encryption on). */
  readonly keyFile?: string;
  /** The host's --window-geometry (WxH+X+Y): show the view in a window there, on a desktop. */
  readonly windowGeometry?: string;
  /** Asked when the key turns out to be protected by a passphrase (--passphrase-file, the variable, a terminal). */
  readonly askPassphrase?: (keyPath: string, field: string) => Promise<string>;
}

/** The config the module starts with; a --config-path that cannot be read or parsed throws. */
function hostConfig(options: StdioOptions): Record<string, unknown> {
  const config = options.configPath ? readHostConfig(options.configPath) : {};
  const storage = { ...(config['storage'] as object | undefined) } as Record<string, unknown>;
  if (options.outputDir) {
    storage['base_path'] ??= options.outputDir;
    // The host's session folders live under its --output-dir: paths there are allowed even if base_path is elsewhere.
    storage['allowed_roots'] = [...((storage['allowed_roots'] as string[] | undefined) ?? []), options.outputDir];
  }
  if (options.sessionPrefix) storage['session_prefix'] ??= options.sessionPrefix;
  const withKey = options.keyFile
    ? { ...config, encryption: { ...(config['encryption'] as object | undefined), enabled: true, key_file: options.keyFile } }
    : config;
  return httpConfig({ ...withKey, storage }, options.http, options.segments === true);
}

/** stdout carries status lines only: anything a library prints goes to stderr instead. */
function keepStdoutForStatuses(errorOutput: NodeJS.WritableStream): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = (...args: unknown[]): void => { errorOutput.write(`${args.map(String).join(' ')}\n`); };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  return () => Object.assign(console, saved);
}

/**
 * The stdio entry: one JSON command per line in, one JSON status per line out. A thin
 * adapter: lines become bus events of the same module an in-process host loads.
 * Resolves with the exit code once the module has shut down (quit, end of input, signal).
 */
export async function serveStdio(options: StdioOptions): Promise<number> {
  const bus = new EventEmitter<HostBusEvents>();
  const logger = new StreamLogger(options.errorOutput, options.logLevel ?? 'warn');
  const dialect = options.dialect ?? 'plain';
  const restoreConsole = keepStdoutForStatuses(options.errorOutput);
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => { finish = resolve; });
  const write = (message: StatusMessage): void => {
    options.output.write(`${encodeStatus(translateStatus(message, dialect))}\n`);
    if (message.status === 'quitting') finish(0);
  };
  let handle: ReturnType<typeof createCamerasModule>;
  const create = (passphrase?: string): ReturnType<typeof createCamerasModule> => createCamerasModule({
    bus, onStatus: write, config: hostConfig(options), logger,
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  }, {
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(options.windowGeometry ? { window: { geometry: options.windowGeometry } } : {}),
  });
  try {
    // A config mistake must not go unnoticed by running on defaults: refuse to start instead.
    try {
      handle = create();
    } catch (err) {
      // Nothing started yet: the key needs a passphrase; get it and start once more with it.
      if (!(err instanceof PassphraseRequired) || options.askPassphrase === undefined) throw err;
      handle = create(await options.askPassphrase(err.keyPath, err.field ?? 'encryption.key_file'));
    }
  } catch (err) {
    write(startupFailure(err, options.configPath, options.keyFile));
    restoreConsole();
    return STARTUP_FAILED_EXIT_CODE;
  }
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_INPUT_LINE_BYTES;
  const lines: LineSource = readBoundedLines(options.input, maxLineBytes, {
    onLine: (raw) => {
      const line = raw.trim();
      if (line.length === 0) return;
      const decoded = decodeLine(line);
      if (decoded.kind === 'command') bus.emit('command', decoded.name, decoded.payload);
      else bus.emit('invalid_input', decoded.problem);
    },
    onOverlong: (limit) => bus.emit('invalid_input', `line longer than ${limit} bytes (the input line limit, --max-line-bytes); skipped up to its newline`),
    onEnd: () => finish(0),
  });
  const onSignal = (): void => finish(0);
  if (options.handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  // initialize() subscribes to the bus before it yields, and the runtime queues every
  // command behind start-up: a line that arrives while the module starts is answered after ready.
  await handle.initialize();
  const code = await finished;
  lines.close();
  await handle.shutdown();
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  restoreConsole();
  return code;
}
