import { isDeepStrictEqual } from 'node:util';
import type { ResolvedConfig } from './config.js';

/** How a changed setting takes effect. */
export type ChangeEffect = 'live' | 'restart_capture' | 'next_recording';

const EFFECTS: Record<string, ChangeEffect> = {
  'record.width': 'restart_capture',
  'record.height': 'restart_capture',
  'record.fps': 'restart_capture',
  'capture.start_timeout_ms': 'next_recording',
  'capture.queue_max_frames': 'next_recording',
  'record.codec': 'next_recording',
  'record.jpeg_quality': 'next_recording',
  'record.h264_crf': 'next_recording',
  'record.force_reencode': 'next_recording',
  'storage.base_path': 'next_recording',
  'storage.session_prefix': 'next_recording',
  'storage.per_camera_subdir': 'next_recording',
  'storage.rotation_minutes': 'next_recording',
  'storage.rotation_seconds': 'next_recording',
};

export interface ConfigChange {
  readonly key: string;
  readonly effect: ChangeEffect;
}

/** Lists the settings whose values differ, each with how it takes effect (default: live). */
export function diffConfig(before: ResolvedConfig, after: ResolvedConfig): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const [section, values] of Object.entries(after) as [string, Record<string, unknown>][]) {
    const old = (before as unknown as Record<string, Record<string, unknown>>)[section] ?? {};
    const keys = new Set([...Object.keys(values), ...Object.keys(old)]);
    for (const field of keys) {
      if (isDeepStrictEqual(values[field], old[field])) continue;
      const key = `${section}.${field}`;
      changes.push({ key, effect: EFFECTS[key] ?? 'live' });
    }
  }
  return changes;
}
