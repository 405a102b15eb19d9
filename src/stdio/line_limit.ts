/** The RPi_Logger host's reader dies on a stdout line over 64 KiB, losing every later status. */
export const MAX_LINE_BYTES = 64 * 1024 - 1;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Serializes one wire object to a line that always fits: when it is too long, the largest
 * fields of its data are left out, largest first, and listed under data._truncated.
 */
export function fitLine(wire: { data: object } & Record<string, unknown>, limit = MAX_LINE_BYTES): string {
  const line = JSON.stringify(wire);
  if (bytes(line) <= limit) return line;
  const data: Record<string, unknown> = { ...(wire.data as Record<string, unknown>) };
  const bySize = Object.keys(data).sort((a, b) => bytes(JSON.stringify(data[b]) ?? '') - bytes(JSON.stringify(data[a]) ?? ''));
  const omitted: string[] = [];
  for (const key of bySize) {
    delete data[key];
    omitted.push(key);
    const shorter = JSON.stringify({ ...wire, data: { ...data, _truncated: omitted } });
    if (bytes(shorter) <= limit) return shorter;
  }
  return JSON.stringify({ type: wire['type'], status: wire['status'], timestamp: wire['timestamp'], data: { _truncated: omitted } });
}
