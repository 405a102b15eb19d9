import { CliUsageError } from './cli_error.js';

export interface HttpListen {
  readonly host: string;
  readonly port: number;
}

/** `--http HOST:PORT` (`[::1]:8765` for IPv6; port 0 = any free port). */
export function parseHttpFlag(value: string): HttpListen {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  const host = match?.[1] ?? match?.[2];
  if (!host || !(port >= 0 && port <= 65535)) throw new CliUsageError(`--http wants HOST:PORT (e.g. 127.0.0.1:8765), got ${value}`);
  return { host, port };
}

/** The config sections `--http` and `--segments` turn on, merged over what the config already says. */
export function httpConfig(base: Record<string, unknown>, http: HttpListen | undefined, segments: boolean): Record<string, unknown> {
  const section = (name: string): Record<string, unknown> => ({ ...(base[name] as Record<string, unknown> | undefined) });
  return {
    ...base,
    ...(http ? { http: { ...section('http'), enabled: true, host: http.host, port: http.port } } : {}),
    ...(segments ? { segments: { ...section('segments'), enabled: true } } : {}),
  };
}
