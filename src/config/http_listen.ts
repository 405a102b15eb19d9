/** Where `--http HOST:PORT` asks the module's HTTP server to listen. */
export interface HttpListen {
  readonly host: string;
  readonly port: number;
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
