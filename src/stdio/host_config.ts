import fs from 'node:fs';
import { configSections } from '../config/resolve.js';
import { ModuleError } from '../errors/codes.js';
import { errnoCode } from '../errors/errno.js';

function parseValue(raw: string): string | number | boolean {
  const value = raw.trim().replace(/^(["'])(.*)\1$/, '$2');
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/**
 * The file behind --config-path: JSON (schemas/config.schema.json), or the RPi_Logger
 * style `key = value` text where our settings are dotted (`record.fps = 30`) and the
 * host's own keys (display_name, enabled, visible, platforms) are left to the host.
 */
export function readHostConfig(file: string): Record<string, unknown> {
  const text = readConfigText(file);
  if (text.trimStart().startsWith('{')) return parseJsonConfig(file, text);
  const config: Record<string, Record<string, unknown>> = {};
  for (const line of text.split(/\r?\n/)) {
    const content = line.replace(/#.*$/, '').trim();
    const eq = content.indexOf('=');
    if (eq <= 0) continue;
    const [section, field, ...rest] = content.slice(0, eq).trim().split('.');
    if (!section || !field || rest.length > 0 || !configSections().includes(section)) continue;
    (config[section] ??= {})[field] = parseValue(content.slice(eq + 1));
  }
  return config;
}

const configError = (file: string, problem: string, cause: unknown): ModuleError =>
  new ModuleError('INVALID_PARAMS', `--config-path ${file}: ${problem}`, { field: 'config_path', recoverable: false, cause });

/** The file's text, or an INVALID_PARAMS naming the file and why it cannot be read. */
function readConfigText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied'
      : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? String(err)})`;
    throw configError(file, problem, err);
  }
}

function parseJsonConfig(file: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw configError(file, `is not valid JSON (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw configError(file, 'must hold a JSON object', undefined);
  return value as Record<string, unknown>;
}
