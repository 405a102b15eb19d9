import { serveStdio } from '../stdio/serve.js';
import type { LogLevel } from '../logging/logger.js';
import { HOST_DIALECTS, type HostDialect } from '../stdio/dialect.js';
import { ModuleError } from '../errors/codes.js';
import { errnoCode } from '../errors/errno.js';
import { CliUsageError, USAGE_EXIT_CODE } from './cli_error.js';
import { parseCommandArgs, type CommandArgs, type OptionSpec } from './command_args.js';
import { CLI_COMMANDS, COMMAND_USAGE, GENERAL_USAGE, type CliCommand } from './usage.js';
import { parseHttpFlag } from './http_flag.js';
import { processPassphraseSource } from './passphrase_source.js';

/** Where the CLI prints; the tests pass their own. */
export interface CliOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_OUTPUT: CliOutput = {
  stdout: (text) => { process.stdout.write(text); },
  stderr: (text) => { process.stderr.write(text); },
};

/** The flags RPi_Logger passes (shared/host-protocol.md), ours, and the host's we only accept. */
const SERVE_OPTIONS: OptionSpec = {
  stdio: { type: 'boolean' },
  'config-path': { type: 'string' },
  'log-level': { type: 'string' },
  'instance-id': { type: 'string' },
  'host-dialect': { type: 'string' },
  'output-dir': { type: 'string' },
  'session-prefix': { type: 'string' },
  'enable-commands': { type: 'boolean' },
  'max-line-bytes': { type: 'string' },
  http: { type: 'string' },
  segments: { type: 'boolean' },
  'key-file': { type: 'string' },
  'passphrase-file': { type: 'string' },
  'no-console': { type: 'boolean' },
  'window-geometry': { type: 'string' },
  platform: { type: 'string' },
  architecture: { type: 'string' },
  'is-raspberry-pi': { type: 'boolean' },
};

/**
 * stderr stays quiet unless something is wrong: the RPi_Logger host logs every stderr line
 * as a warning and starts modules with --log-level info, so info counts as warn here;
 * only an explicit debug turns on the chatter.
 */
function stderrLevel(level: string | undefined): LogLevel {
  const wanted = level?.toLowerCase();
  if (wanted === 'debug') return 'debug';
  if (wanted === 'error' || wanted === 'critical') return 'error';
  return 'warn';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function serve(args: CommandArgs, out: CliOutput): Promise<number> {
  const flags = args.values;
  const dialect = str(flags['host-dialect']) ?? (flags['enable-commands'] ? 'rpi-logger' : 'plain');
  if (!(HOST_DIALECTS as readonly string[]).includes(dialect)) {
    throw new CliUsageError(`--host-dialect must be one of ${HOST_DIALECTS.join(', ')} (got ${dialect})`);
  }
  const maxLine = str(flags['max-line-bytes']);
  const maxLineBytes = maxLine === undefined ? undefined : Number(maxLine);
  if (maxLineBytes !== undefined && !(Number.isInteger(maxLineBytes) && maxLineBytes >= 1024)) {
    throw new CliUsageError(`--max-line-bytes must be a whole number of bytes, at least 1024 (got ${maxLine})`);
  }
  // Made now: it takes CAMERAS_USB2_PASSPHRASE out of the environment before any child process could inherit it.
  const passphrases = processPassphraseSource(str(flags['passphrase-file']));
  // The host protocol asks for unknown flags to be tolerated; say so once, do not fail.
  if (args.unknown.length > 0) out.stderr(`cameras-usb2 serve: ignoring unknown option(s) ${args.unknown.join(' ')}\n`);
  return serveStdio({
    input: process.stdin, output: process.stdout, errorOutput: process.stderr, handleSignals: true,
    maxLineBytes,
    configPath: str(flags['config-path']),
    logLevel: stderrLevel(str(flags['log-level'])),
    instanceId: str(flags['instance-id']),
    dialect: dialect as HostDialect,
    outputDir: str(flags['output-dir']),
    sessionPrefix: str(flags['session-prefix']),
    ...(str(flags['http']) !== undefined ? { http: parseHttpFlag(str(flags['http']) as string) } : {}),
    segments: flags['segments'] === true,
    keyFile: str(flags['key-file']),
    askPassphrase: (keyPath, field) => passphrases.forKey(keyPath, field),
    windowGeometry: str(flags['window-geometry']),
  });
}

async function run(command: CliCommand, rest: readonly string[], out: CliOutput): Promise<number> {
  const print = (line: string): void => out.stdout(`${line}\n`);
  switch (command) {
    case 'serve': {
      const args = parseCommandArgs(command, rest, SERVE_OPTIONS, { maxPositionals: 0, tolerateUnknown: true });
      if (args.values['help']) return usage(command, out);
      return serve(args, out);
    }
    case 'devices': {
      const args = parseCommandArgs(command, rest, { json: { type: 'boolean' } }, { maxPositionals: 0 });
      if (args.values['help']) return usage(command, out);
      const { listDevices } = await import('./devices.js');
      return listDevices({ json: args.values['json'] === true, print });
    }
    case 'demo': {
      const spec: OptionSpec = {
        out: { type: 'string' }, seconds: { type: 'string' }, cameras: { type: 'string' }, camera: { type: 'string' },
        http: { type: 'string' }, segments: { type: 'boolean' }, 'key-file': { type: 'string' }, 'passphrase-file': { type: 'string' },
      };
      const args = parseCommandArgs(command, rest, spec, { maxPositionals: 0 });
      if (args.values['help']) return usage(command, out);
      const { runDemo } = await import('./demo.js');
      const v = args.values;
      const http = str(v['http']);
      return runDemo({
        out: str(v['out']), seconds: str(v['seconds']), cameras: str(v['cameras']), camera: str(v['camera']), keyFile: str(v['key-file']), print,
        passphrase: processPassphraseSource(str(v['passphrase-file'])),
        ...(http !== undefined ? { http: parseHttpFlag(http) } : {}), segments: v['segments'] === true,
      });
    }
    case 'repair': {
      const args = parseCommandArgs(command, rest, { json: { type: 'boolean' } }, { maxPositionals: 1 });
      if (args.values['help']) return usage(command, out);
      const [dir] = args.positionals;
      if (!dir) throw new CliUsageError('repair needs the folder to look in; see cameras-usb2 repair --help');
      const { runRepair } = await import('./repair.js');
      return runRepair({ dir, json: args.values['json'] === true, print });
    }
    case 'clip': {
      if (rest.includes('--help') || rest.includes('-h')) return usage(command, out);
      return (await import('./clip.js')).runClip([...rest], { print, printError: (line) => out.stderr(`${line}\n`), env: process.env });
    }
    case 'keygen':
    case 'decrypt':
    case 'verify': {
      // These parse their own (strict) options; --help is answered here like everywhere else.
      if (rest.includes('--help') || rest.includes('-h')) return usage(command, out);
      const streams = { stdout: process.stdout, stderr: process.stderr };
      if (command === 'keygen') return (await import('./keygen.js')).runKeygen([...rest], streams);
      if (command === 'decrypt') return (await import('./decrypt.js')).runDecrypt([...rest], streams);
      return (await import('./verify.js')).runVerify([...rest], streams);
    }
    case 'install-rpi-logger':
    case 'uninstall-rpi-logger': {
      const args = parseCommandArgs(command, rest, {}, { maxPositionals: 1 });
      if (args.values['help']) return usage(command, out);
      const [modulesDir] = args.positionals;
      if (!modulesDir) throw new CliUsageError(`${command} needs the RPi_Logger rpi_logger/modules folder; see cameras-usb2 ${command} --help`);
      const { installRpiLogger, uninstallRpiLogger } = await import('./rpi_logger_install.js');
      const report = command === 'install-rpi-logger' ? installRpiLogger(modulesDir) : uninstallRpiLogger(modulesDir);
      for (const file of report.written) print(`wrote ${file}`);
      for (const file of report.backedUp) print(`${command === 'install-rpi-logger' ? 'set aside' : 'restored'} ${file}`);
      return 0;
    }
  }
}

function usage(command: CliCommand, out: CliOutput): number {
  out.stdout(`${COMMAND_USAGE[command]}\n`);
  return 0;
}

const isCommand = (name: string): name is CliCommand => (CLI_COMMANDS as readonly string[]).includes(name);

/**
 * The command line. Exit codes: 0 done, 1 the work failed (one line on stderr says why),
 * 2 a usage mistake (one line naming it and where help is). Only a bug prints a stack.
 */
export async function main(argv: readonly string[], out: CliOutput = PROCESS_OUTPUT): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    out.stderr(`${GENERAL_USAGE}\n`);
    return USAGE_EXIT_CODE;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const [topic] = rest;
    out.stdout(`${topic !== undefined && isCommand(topic) ? COMMAND_USAGE[topic] : GENERAL_USAGE}\n`);
    return 0;
  }
  if (!isCommand(command)) {
    out.stderr(`cameras-usb2: unknown command ${command}; commands: ${CLI_COMMANDS.join(', ')} (cameras-usb2 --help)\n`);
    return USAGE_EXIT_CODE;
  }
  try {
    return await run(command, rest, out);
  } catch (err) {
    if (err instanceof CliUsageError) {
      out.stderr(`cameras-usb2 ${command}: ${err.message}\n`);
      return USAGE_EXIT_CODE;
    }
    // Expected failures (a camera that cannot be opened, a file that cannot be written): one line.
    if (err instanceof ModuleError || errnoCode(err) !== undefined) {
      out.stderr(`cameras-usb2 ${command}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}
