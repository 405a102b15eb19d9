import { shortenString, shortenStrings } from './shorten_strings.js';

/** The RPi_Logger host's reader dies on a stdout line over 64 KiB, losing every later status. */
export const MAX_LINE_BYTES = 64 * 1024 - 1;

/** Fields that say what went wrong: they stay in a shrunk status when anything else has to go. */
const KEPT_FIELDS = new Set(['code', 'error', 'command', 'recoverable', 'field', 'message']);

/** Longest string kept when strings must be shortened, tried from the gentlest cut down. */
const STRING_BUDGETS = [16_384, 4_096, 1_024, 256, 64];

type Wire = { data: object } & Record<string, unknown>;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The wire object with every string in `data` and the command_id cut to `maxChars`. */
function withShortStrings(wire: Wire, maxChars: number): Wire {
  const shortened: Wire = { ...wire, data: shortenStrings(wire.data, maxChars) as object };
  if (typeof wire['command_id'] === 'string') shortened['command_id'] = shortenString(wire['command_id'], maxChars);
  return shortened;
}

/**
 * Serializes one wire object to a line that always fits. A status that is too long first has
 * its long strings shortened (marked `…[truncated N chars]`), so an error keeps its code,
 * message, command and command_id; only if that is not enough are the largest data fields
 * other than those left out, largest first, and listed under data._truncated.
 */
export function fitLine(wire: Wire, limit = MAX_LINE_BYTES): string {
  const line = JSON.stringify(wire);
  if (bytes(line) <= limit) return line;
  let shortest = wire;
  for (const budget of STRING_BUDGETS) {
    shortest = withShortStrings(wire, budget);
    const shorter = JSON.stringify(shortest);
    if (bytes(shorter) <= limit) return shorter;
  }
  const data: Record<string, unknown> = { ...(shortest.data as Record<string, unknown>) };
  const size = (key: string): number => bytes(JSON.stringify(data[key]) ?? '');
  const bySize = Object.keys(data).filter((key) => !KEPT_FIELDS.has(key)).sort((a, b) => size(b) - size(a));
  const omitted: string[] = [];
  for (const key of bySize) {
    delete data[key];
    omitted.push(key);
    const shorter = JSON.stringify({ ...shortest, data: { ...data, _truncated: omitted } });
    if (bytes(shorter) <= limit) return shorter;
  }
  // Only the kept fields are left and still too long (a limit far below 64 KiB): keep the envelope.
  const envelope: Record<string, unknown> = { type: wire['type'], status: wire['status'], timestamp: wire['timestamp'], data: { _truncated: [...omitted, ...Object.keys(data)] } };
  if (typeof wire['command_id'] === 'string') envelope['command_id'] = shortenString(wire['command_id'], 64);
  return JSON.stringify(envelope);
}
