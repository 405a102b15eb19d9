import fs from 'node:fs';

const SECTIONS = new Set(['preview', 'record', 'storage', 'guard', 'telemetry', 'capture', 'ffmpeg']);

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
  const text = fs.readFileSync(file, 'utf8');
  if (text.trimStart().startsWith('{')) return JSON.parse(text) as Record<string, unknown>;
  const config: Record<string, Record<string, unknown>> = {};
  for (const line of text.split(/\r?\n/)) {
    const content = line.replace(/#.*$/, '').trim();
    const eq = content.indexOf('=');
    if (eq <= 0) continue;
    const [section, field, ...rest] = content.slice(0, eq).trim().split('.');
    if (!section || !field || rest.length > 0 || !SECTIONS.has(section)) continue;
    (config[section] ??= {})[field] = parseValue(content.slice(eq + 1));
  }
  return config;
}
