import type { StatusMessage } from '../events/statuses.js';

const fields = (data: object, keys: readonly string[]): string =>
  keys.filter((k) => k in data).map((k) => `${k}=${JSON.stringify((data as Record<string, unknown>)[k])}`).join(' ');

/** One line a person can read for a status: the metrics bar for telemetry, the essentials otherwise. */
export function formatStatus(message: StatusMessage): string {
  const { status, data } = message;
  switch (status) {
    case 'telemetry':
      return `telemetry  capture ${data.capture_fps.toFixed(1)} fps | record ${data.record_fps === null ? '-' : `${data.record_fps.toFixed(1)} fps`} | queue ${data.queue_depth} | recorded ${data.frames_recorded ?? '-'} | dropped ${data.frames_dropped}`;
    case 'ready':
      return `ready      ${data.module} ${data.version}, ffmpeg ${data.ffmpeg ? `${data.ffmpeg.version} (${data.ffmpeg.source}: ${data.ffmpeg.path})` : 'NOT FOUND'}`;
    case 'device_ready':
      return `device_ready ${data.camera_id} ${data.resolution}@${data.fps} ${data.passthrough ? 'passthrough (no re-encode)' : 're-encode'}: ${data.mode_reason}`;
    case 'recording_started':
      return `recording_started trial ${data.trial_number} → ${data.video_path}`;
    case 'recording_stopped':
      return `recording_stopped ${fields(data, ['frames_recorded', 'frames_dropped', 'duration_seconds', 'actual_fps', 'reason'])}`;
    case 'error':
      return `error      ${data.code} ${data.command ?? '-'}: ${data.error}`;
    default:
      return `${status.padEnd(10)} ${JSON.stringify(data)}`;
  }
}
