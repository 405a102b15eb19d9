import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { FfmpegLocator } from '../ffmpeg/locate.js';
import { FfprobeLocator } from '../ffmpeg/locate_ffprobe.js';
import { launcherFor } from '../process/run_command.js';
import { NodeProcessSpawner } from '../process/spawner.js';
import { repairTrials, type RepairReport, type TrialRepair } from '../storage/repair/repair_trials.js';
import { CliUsageError } from './cli_error.js';

export interface RepairOptions {
  readonly dir: string;
  readonly json: boolean;
  readonly print: (line: string) => void;
}

/** `cameras-usb2 repair DIR [--json]`: exit 0 when every unfinished trial was repaired (or none was found), else 1. */
export async function runRepair(options: RepairOptions): Promise<number> {
  const dir = path.resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliUsageError(`${options.dir} is not a folder`);
  const ffmpeg = await new FfmpegLocator({ env: process.env }).locate();
  const ffprobe = await new FfprobeLocator().locate(ffmpeg.path);
  const report = await repairTrials(dir, { ffmpegPath: ffmpeg.path, ffprobePath: ffprobe.path, launcher: launcherFor(new NodeProcessSpawner()) });
  if (options.json) options.print(JSON.stringify(report, null, 2));
  else printReport(report, options.print);
  return report.trials.some((t) => t.outcome === 'failed') ? 1 : 0;
}

function printReport(report: RepairReport, print: (line: string) => void): void {
  if (report.trials.length === 0) {
    print(`Nothing to repair: ${report.trialsFound} trial(s) under ${report.dir}, all finished.`);
    return;
  }
  for (const trial of report.trials) printTrial(trial, print);
  const count = (outcome: TrialRepair['outcome']): number => report.trials.filter((t) => t.outcome === outcome).length;
  print(`${count('repaired')} repaired, ${count('skipped')} skipped, ${count('failed')} failed (of ${report.trialsFound} trial(s) under ${report.dir}).`);
}

function printTrial(trial: TrialRepair, print: (line: string) => void): void {
  if (trial.outcome !== 'repaired') {
    print(`${trial.outcome} ${trial.metadataPath}: ${trial.reason ?? ''}`);
    return;
  }
  print(`repaired ${trial.metadataPath}: end ${trial.endTimeUnix}, ${trial.framesTotal} frames, ${trial.framesDropped} dropped, ${trial.actualFps} fps`);
  for (const video of trial.videos) {
    const index = { present: 'had its index', added: 'index added', missing: 'still without index', 'n/a': 'not Matroska' }[video.index];
    print(`  video ${video.path}: ${video.frames ?? '?'} frames, ${index}${video.note ? ` (${video.note})` : ''}`);
  }
  for (const note of trial.notes) print(`  note: ${note}`);
}
