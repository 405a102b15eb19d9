import { parseArgs } from 'node:util';
import { serveStdio } from '../stdio/serve.js';
import type { LogLevel } from '../logging/logger.js';
import { HOST_DIALECTS, type HostDialect } from '../stdio/dialect.js';

const USAGE = `usage: cameras-usb2 <command> [options]

commands:
  serve --stdio [--host-dialect plain|rpi-logger] [--config-path FILE] [--output-dir DIR]
                       one JSON command per line on stdin, one JSON status per line on stdout
                       (the RPi_Logger host's flags are accepted; --enable-commands implies rpi-logger)
  devices [--json]     list the cameras of this machine with their modes and controls
                       (Linux: CAMERAS_SYSFS_ROOT / CAMERAS_DEV_ROOT point at another sysfs / dev tree)
  demo [--out DIR] [--seconds N] [--cameras N] [--camera SPEC]
                       record one trial from the synthetic camera and check the files
  clip --url URL (--start-ms A --stop-ms B | --start-pts A --stop-pts B) [--label L] [--out DIR]
                       ask a running producer for a clip of that window; prints the clip's path
  install-rpi-logger <rpi_logger/modules>    make this module RPi_Logger's camera module
  keygen [--x25519] --out FILE
                       a new encryption key (mode 0600), or an X25519 key pair FILE + FILE.pub
  decrypt FILE.enc (--key-file KEY | --identity PRIVATE_KEY) [-o OUT | -o -] [--allow-truncated]
                       stream the plaintext of an encrypted recording (to stdout with -o -)
  verify FILE.enc (--key-file KEY | --identity PRIVATE_KEY) [--allow-truncated]
                       check every segment; exit 0 OK, 1 failed (segment, offset, reason), 2 usage
  uninstall-rpi-logger <rpi_logger/modules>  put the original camera module back
`;

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

/** Flags the RPi_Logger host passes; unknown ones are tolerated (strict: false). */
function parseFlags(args: string[]) {
  return parseArgs({
    args,
    strict: false,
    allowPositionals: true,
    options: {
      stdio: { type: 'boolean' },
      'config-path': { type: 'string' },
      'log-level': { type: 'string' },
      'instance-id': { type: 'string' },
      'host-dialect': { type: 'string' },
      'output-dir': { type: 'string' },
      'session-prefix': { type: 'string' },
      'enable-commands': { type: 'boolean' },
      out: { type: 'string' },
      seconds: { type: 'string' },
      cameras: { type: 'string' },
      camera: { type: 'string' },
      help: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  }).values;
}

function parsePositionals(args: string[]): string[] {
  return parseArgs({ args, strict: false, allowPositionals: true }).positionals;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = parseFlags(rest);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  switch (command) {
    case 'serve': {
      const dialect = str(flags['host-dialect']) ?? (flags['enable-commands'] ? 'rpi-logger' : 'plain');
      if (!(HOST_DIALECTS as readonly string[]).includes(dialect)) {
        process.stderr.write(`--host-dialect must be one of ${HOST_DIALECTS.join(', ')}\n`);
        return 2;
      }
      return serveStdio({
        input: process.stdin, output: process.stdout, errorOutput: process.stderr, handleSignals: true,
        configPath: str(flags['config-path']),
        logLevel: stderrLevel(str(flags['log-level'])),
        instanceId: str(flags['instance-id']),
        dialect: dialect as HostDialect,
        outputDir: str(flags['output-dir']),
        sessionPrefix: str(flags['session-prefix']),
      });
    }
    case 'devices': {
      const { listDevices } = await import('./devices.js');
      return listDevices({ json: flags.json === true, print: (line) => process.stdout.write(`${line}\n`) });
    }
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo({
        out: str(flags.out), seconds: str(flags.seconds), cameras: str(flags.cameras), camera: str(flags.camera),
        print: (line) => process.stdout.write(`${line}\n`),
      });
    }
    case 'clip':
      return (await import('./clip.js')).runClip(rest, { print: (line) => process.stdout.write(`${line}\n`), printError: (line) => process.stderr.write(`${line}\n`), env: process.env });
    case 'keygen':
      return (await import('./keygen.js')).runKeygen(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'decrypt':
      return (await import('./decrypt.js')).runDecrypt(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'verify':
      return (await import('./verify.js')).runVerify(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'install-rpi-logger':
    case 'uninstall-rpi-logger': {
      const [modulesDir] = parsePositionals(rest);
      if (!modulesDir) {
        process.stderr.write(`usage: cameras-usb2 ${command} <RPi_Logger rpi_logger/modules folder>\n`);
        return 2;
      }
      const { installRpiLogger, uninstallRpiLogger } = await import('./rpi_logger_install.js');
      const report = command === 'install-rpi-logger' ? installRpiLogger(modulesDir) : uninstallRpiLogger(modulesDir);
      for (const file of report.written) process.stdout.write(`wrote ${file}\n`);
      for (const file of report.backedUp) process.stdout.write(`${command === 'install-rpi-logger' ? 'set aside' : 'restored'} ${file}\n`);
      return 0;
    }
    default:
      process.stderr.write(USAGE);
      return command === undefined || command === 'help' || flags.help ? 0 : 2;
  }
}
