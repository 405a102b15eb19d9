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

/** The mode the camera is capturing in. */
export interface RunningMode {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** record.width/height/fps left open (null) mean "whatever the camera runs": that value, when known. */
const OPEN_MODE_FIELDS: Readonly<Record<string, keyof RunningMode>> = { 'record.width': 'width', 'record.height': 'height', 'record.fps': 'fps' };

/**
 * Lists the settings whose values differ, each with how it takes effect (default: live).
 * A setting re-stated with the value it already has is no change. With `running`, an open
 * mode field counts as the running mode's value, so stating the mode the camera already
 * runs in (record.width 640 while it runs 640x480 on its own choice) changes nothing.
 */
export function diffConfig(before: ResolvedConfig, after: ResolvedConfig, running: RunningMode | null = null): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const [section, values] of Object.entries(after) as [string, Record<string, unknown>][]) {
    const old = (before as unknown as Record<string, Record<string, unknown>>)[section] ?? {};
    const keys = new Set([...Object.keys(values), ...Object.keys(old)]);
    for (const field of keys) {
      const key = `${section}.${field}`;
      const openField = OPEN_MODE_FIELDS[key];
      const was = (old[field] ?? null) === null && running !== null && openField !== undefined ? running[openField] : old[field];
      if (isDeepStrictEqual(values[field], was)) continue;
      changes.push({ key, effect: EFFECTS[key] ?? 'live' });
    }
  }
  return changes;
}
