import { FfprobeLocator } from '../../ffmpeg/locate_ffprobe.js';
import type { FfmpegProvider } from '../../ffmpeg/provider.js';
import type { ProcessLauncher } from '../../process/run_command.js';
import { repairTrials, type RepairReport } from './repair_trials.js';

/** Completes the trials a crash left unfinished under a folder (DI token TrialRepairer). */
export interface TrialRepairer {
  repair(dir: string): Promise<RepairReport>;
}

/** The real one: the module's located ffmpeg, the ffprobe beside it, children owned by the module's process registry. */
export class FfmpegTrialRepairer implements TrialRepairer {
  private ffprobePath: Promise<string> | null = null;

  constructor(private readonly ffmpeg: FfmpegProvider, private readonly processes: ProcessLauncher) {}

  async repair(dir: string): Promise<RepairReport> {
    const ffmpegPath = this.ffmpeg.require().path;
    this.ffprobePath ??= new FfprobeLocator().locate(ffmpegPath).then((found) => found.path);
    return repairTrials(dir, { ffmpegPath, ffprobePath: await this.ffprobePath, launcher: this.processes });
  }
}
