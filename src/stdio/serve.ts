import fs from 'node:fs';
import readline from 'node:readline';
import { EventEmitter } from 'eventemitter3';
import { createCamerasModule } from '../module_factory.js';
import type { HostBusEvents } from '../host/contract.js';
import { StreamLogger, type LogLevel } from '../host/logger.js';
import type { StatusMessage } from '../bridge/statuses.js';
import { decodeLine, encodeStatus } from './wire.js';

export interface StdioOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly errorOutput: NodeJS.WritableStream;
  readonly configPath?: string;
  readonly logLevel?: LogLevel;
  readonly instanceId?: string;
  /** Handle SIGTERM/SIGINT by finalizing files and exiting (off in tests that run in-process). */
  readonly handleSignals?: boolean;
}

function readConfig(configPath: string | undefined): unknown {
  if (!configPath) return {};
  return JSON.parse(fs.readFileSync(configPath, 'utf8')) as unknown;
}

/**
 * The stdio entry: one JSON command per line in, one JSON status per line out. A thin
 * adapter: lines become bus events of the same module an in-process host loads.
 * Resolves with the exit code once the module has shut down (quit, end of input, signal).
 */
export async function serveStdio(options: StdioOptions): Promise<number> {
  const bus = new EventEmitter<HostBusEvents>();
  const logger = new StreamLogger(options.errorOutput, options.logLevel ?? 'warn');
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => { finish = resolve; });
  const write = (message: StatusMessage): void => {
    options.output.write(`${encodeStatus(message)}\n`);
    if (message.status === 'quitting') finish(0);
  };
  let config: unknown;
  try {
    config = readConfig(options.configPath);
  } catch (err) {
    logger.error(`cannot read --config-path ${options.configPath}: ${String(err)}`);
    config = {};
  }
  const handle = createCamerasModule({ bus, onStatus: write, config, logger, ...(options.instanceId ? { instanceId: options.instanceId } : {}) });
  const lines = readline.createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  lines.on('line', (raw) => {
    const line = raw.trim();
    if (line.length === 0) return;
    const decoded = decodeLine(line);
    if (decoded.kind === 'command') bus.emit('command', decoded.name, decoded.payload);
    else bus.emit('invalid_input', decoded.problem);
  });
  lines.on('close', () => finish(0));
  const onSignal = (): void => finish(0);
  if (options.handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  await handle.initialize();
  const code = await finished;
  lines.close();
  await handle.shutdown();
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return code;
}
