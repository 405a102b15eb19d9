import type { StatusMessage } from '../events/statuses.js';
import { fitLine } from './line_limit.js';

/** One line read from the host, already split into what the bus carries. */
export type DecodedLine =
  | { readonly kind: 'command'; readonly name: string; readonly payload: Record<string, unknown> }
  | { readonly kind: 'invalid'; readonly problem: string };

const snippet = (text: string): string => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

/** host → module: `{"command": "<name>", ...params}` (parameters are top-level keys). */
export function decodeLine(line: string): DecodedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'invalid', problem: `line is not valid JSON: ${snippet(line)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', problem: `line must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'null' : typeof value}` };
  }
  const { command, ...payload } = value as Record<string, unknown>;
  if (typeof command !== 'string' || command.length === 0) {
    return { kind: 'invalid', problem: "missing field 'command' (a non-empty string)" };
  }
  return { kind: 'command', name: command, payload };
}

/** module → host: `{"type":"status","status":...,"timestamp":...,"data":{...}[,"command_id":...]}`, never over 64 KiB. */
export function encodeStatus(message: StatusMessage): string {
  const line: Record<string, unknown> = { type: 'status', status: message.status, timestamp: message.timestamp, data: message.data };
  if (message.command_id !== undefined) line['command_id'] = message.command_id;
  return fitLine(line as { data: object } & Record<string, unknown>);
}
