/**
 * What the metrics bar's colours mean, in one place: the page only maps a level to a colour,
 * so changing a threshold here changes the page, the tests and the table in docs/web-view.md together.
 */
export type HealthLevel = 'ok' | 'warn' | 'bad' | 'idle';

export const HEALTH_THRESHOLDS = {
  /** Record fps this far below capture fps (fraction of capture fps) is a warning, twice as far is bad. */
  recordFpsShortfall: 0.05,
  /** The first seconds of a trial have no full-second record rate yet: not judged. */
  recordFpsWarmupSeconds: 2,
  /** Frames waiting for the writer: a few are normal (a file opening), more mean the disk cannot keep up. */
  queueWarnFrames: 5,
  queueBadFrames: 30,
  /** A queue that grew this many frames over the last few seconds is a warning even below queueWarnFrames. */
  queueGrowthFrames: 3,
  /** Frames lost in the last few seconds: any loss is a warning, this many is bad. */
  dropsBadPerWindow: 5,
  /** How many seconds "the last few seconds" are (growth and new drops are judged over it). */
  windowSeconds: 5,
  /** Recording time left on the disk below these many seconds. */
  diskWarnSecondsLeft: 30 * 60,
  diskBadSecondsLeft: 5 * 60,
} as const;

export function recordFpsHealth(captureFps: number, recordFps: number | null, trialSeconds: number | null): HealthLevel {
  if (recordFps === null) return 'idle';
  if (trialSeconds !== null && trialSeconds < HEALTH_THRESHOLDS.recordFpsWarmupSeconds) return 'ok';
  if (captureFps <= 0) return 'bad';
  const shortfall = (captureFps - recordFps) / captureFps;
  if (shortfall > 2 * HEALTH_THRESHOLDS.recordFpsShortfall) return 'bad';
  return shortfall > HEALTH_THRESHOLDS.recordFpsShortfall ? 'warn' : 'ok';
}

/** depthNow and depthBefore (windowSeconds ago) are the writer's queue depth in frames. */
export function queueHealth(depthNow: number, depthBefore: number): HealthLevel {
  if (depthNow >= HEALTH_THRESHOLDS.queueBadFrames) return 'bad';
  if (depthNow >= HEALTH_THRESHOLDS.queueWarnFrames || depthNow - depthBefore >= HEALTH_THRESHOLDS.queueGrowthFrames) return 'warn';
  return 'ok';
}

/** droppedNow and droppedBefore are frame drop counters now and windowSeconds ago. */
export function dropHealth(droppedNow: number, droppedBefore: number): HealthLevel {
  const recent = droppedNow - droppedBefore;
  if (recent >= HEALTH_THRESHOLDS.dropsBadPerWindow) return 'bad';
  return recent > 0 ? 'warn' : 'ok';
}

/** The guard's own level (warn/block percent, free-GB minimum) first, then the recording time left. */
export function diskHealth(level: 'ok' | 'warn' | 'critical' | null, secondsLeft: number | null): HealthLevel {
  if (level === null) return 'idle';
  if (level === 'critical') return 'bad';
  if (secondsLeft !== null && secondsLeft < HEALTH_THRESHOLDS.diskBadSecondsLeft) return 'bad';
  if (level === 'warn') return 'warn';
  return secondsLeft !== null && secondsLeft < HEALTH_THRESHOLDS.diskWarnSecondsLeft ? 'warn' : 'ok';
}

export function cameraHealth(camera: 'none' | 'live' | 'lost'): HealthLevel {
  return camera === 'live' ? 'ok' : camera === 'lost' ? 'bad' : 'idle';
}
