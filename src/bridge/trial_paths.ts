import path from 'node:path';
import type { StartRecordingCommand } from '../generated/schema-types.js';
import type { ResolvedConfig } from '../config/config.js';

export interface TrialPlacement {
  readonly baseDir: string;
  readonly sessionPrefix: string;
  readonly trialNumber: number;
}

/**
 * Where a trial goes: the command's output_dir or session_dir, else the session's folder,
 * else storage.base_path; the trial number is part of the file prefix so trials of one
 * session never collide.
 */
export function placeTrial(
  payload: StartRecordingCommand,
  config: ResolvedConfig,
  session: { dir: string | null; lastTrial: number },
): TrialPlacement {
  const baseDir = path.resolve(payload.output_dir ?? payload.session_dir ?? session.dir ?? config.storage.base_path);
  const trialNumber = payload.trial_number ?? session.lastTrial + 1;
  const prefix = payload.session_prefix ?? config.storage.session_prefix;
  return { baseDir, sessionPrefix: `${prefix}_trial${String(trialNumber).padStart(3, '0')}`, trialNumber };
}
