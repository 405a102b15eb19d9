import { parseArgs } from 'node:util';
import { serveStdio } from '../stdio/serve.js';
import type { LogLevel } from '../host/logger.js';

const USAGE = `usage: cameras-usb2 <command> [options]

commands:
  serve --stdio        one JSON command per line on stdin, one JSON status per line on stdout
  demo [--out DIR] [--seconds N] [--cameras N] [--camera SPEC]
                       record one trial from the synthetic camera and check the files
`;

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];

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
      out: { type: 'string' },
      seconds: { type: 'string' },
      cameras: { type: 'string' },
      camera: { type: 'string' },
      help: { type: 'boolean' },
    },
  }).values;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = parseFlags(rest);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  switch (command) {
    case 'serve': {
      const level = str(flags['log-level'])?.toLowerCase();
      return serveStdio({
        input: process.stdin, output: process.stdout, errorOutput: process.stderr, handleSignals: true,
        configPath: str(flags['config-path']),
        logLevel: level && LOG_LEVELS.includes(level) ? (level as LogLevel) : 'warn',
        instanceId: str(flags['instance-id']),
      });
    }
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo({
        out: str(flags.out), seconds: str(flags.seconds), cameras: str(flags.cameras), camera: str(flags.camera),
        print: (line) => process.stdout.write(`${line}\n`),
      });
    }
    default:
      process.stderr.write(USAGE);
      return command === undefined || command === 'help' || flags.help ? 0 : 2;
  }
}
