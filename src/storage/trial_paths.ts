import path from 'node:path';
import type { StartRecordingCommand } from '../generated/schema-types.js';
import type { ResolvedConfig } from '../config/config.js';
import type { CameraIdentity } from '../camera_core/types.js';
import { pathRule, resolveAllowedPath } from './allowed_roots.js';

export interface TrialPlacement {
  readonly baseDir: string;
  readonly sessionPrefix: string;
  readonly cameraLabel: string;
  readonly trialNumber: number;
}

export interface SessionState {
  readonly dir: string | null;
  readonly lastTrial: number;
}

const trialTag = (n: number): string => `trial${String(n).padStart(3, '0')}`;

/**
 * Where a trial goes. With a session folder (the RPi_Logger host's session_dir, from record,
 * assign_device or start_session) it follows that host's layout:
 * `<session_dir>/Cameras/<stable_id>/<token>_CAM_trial<NNN>_<stable_id>`, token being the
 * session folder's name after its first '_'. Otherwise seed 000's: `<output_dir or
 * storage.base_path>/<session_prefix>_trial<NNN>_<camera name>`. The trial number is in
 * every name so the trials of a session never collide.
 */
export function placeTrial(
  payload: StartRecordingCommand,
  config: ResolvedConfig,
  session: SessionState,
  camera: CameraIdentity,
): TrialPlacement {
  const trialNumber = payload.trial_number ?? session.lastTrial + 1;
  const rule = pathRule(config);
  const sessionField = payload.session_dir ? 'session_dir' : 'session.session_dir';
  const sessionDir = payload.session_dir ?? (payload.output_dir ? null : session.dir);
  if (sessionDir) {
    const folder = resolveAllowedPath(sessionField, sessionDir, rule);
    const name = path.basename(folder);
    const token = name.includes('_') ? name.slice(name.indexOf('_') + 1) : name;
    return {
      baseDir: path.join(folder, 'Cameras', camera.stableId.replace(/[^A-Za-z0-9_-]+/g, '_') || 'camera'),
      sessionPrefix: `${token}_CAM_${trialTag(trialNumber)}`,
      cameraLabel: camera.stableId,
      trialNumber,
    };
  }
  const prefix = payload.session_prefix ?? config.storage.session_prefix;
  return {
    baseDir: payload.output_dir ? resolveAllowedPath('output_dir', payload.output_dir, rule) : rule.base,
    sessionPrefix: `${prefix}_${trialTag(trialNumber)}`,
    cameraLabel: camera.name || camera.stableId,
    trialNumber,
  };
}
