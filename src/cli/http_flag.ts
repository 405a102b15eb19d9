import type { HttpListen } from '../config/http_listen.js';
import { CliUsageError } from './cli_error.js';

/** `--http HOST:PORT` (`[::1]:8765` for IPv6; port 0 = any free port). */
export function parseHttpFlag(value: string): HttpListen {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  const host = match?.[1] ?? match?.[2];
  if (!host || !(port >= 0 && port <= 65535)) throw new CliUsageError(`--http wants HOST:PORT (e.g. 127.0.0.1:8765), got ${value}`);
  return { host, port };
}
