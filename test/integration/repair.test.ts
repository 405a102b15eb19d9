import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli, type CliRun } from '../helpers/run_cli.js';
import Papa from 'papaparse';
import { FfprobeLocator } from '../../src/ffmpeg/locate_ffprobe.js';
import { launcherFor } from '../../src/process/run_command.js';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { hasMatroskaCues } from '../../src/storage/repair/matroska_index.js';
import { repairTrials, type RepairDeps, type RepairReport } from '../../src/storage/repair/repair_trials.js';
import { dropUnfinishedLastRow } from '../../src/storage/repair/timing_tail.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import type { TrialPaths } from '../../src/storage/types.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';
import { probeFile } from '../helpers/ffprobe.js';
import { recordThenKill9 } from '../helpers/kill9_trial.js';

async function metadataRow(file: string): Promise<Record<string, string>> {
  return Papa.parse<Record<string, string>>(await readFile(file, 'utf8'), { header: true, skipEmptyLines: true }).data[0]!;
}

const runRepairCli = (dir: string): Promise<CliRun> => runCli(['repair', dir, '--json']);

describe('repair: trials a kill -9 left unfinished (real recorder, real ffmpeg)', function () {
  this.timeout(120_000);
  let dir: string;
  let paths: TrialPaths;
  let deps: RepairDeps;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'repair-'));
    paths = await recordThenKill9(dir, 1500);
    const ffmpeg = await pathFfmpegInfo();
    const ffprobe = await new FfprobeLocator().locate(ffmpeg.path);
    deps = { ffmpegPath: ffmpeg.path, ffprobePath: ffprobe.path, launcher: launcherFor(new NodeProcessSpawner()) };
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('leaves a trial alone while its files may still be written', async () => {
    const before = await metadataRow(paths.metadataPath);
    expect(before['end_time_unix']).to.equal('');
    const report = await repairTrials(dir, { ...deps, minIdleMs: 60 * 60_000 });
    expect(report.trials.map((t) => t.outcome)).to.deep.equal(['skipped']);
    expect(await metadataRow(paths.metadataPath)).to.deep.equal(before);
  });

  it('completes the metadata from the timing CSV, adds the Matroska index, keeps video and CSV agreeing (CLI, --json)', async () => {
    expect(await hasMatroskaCues(paths.videoPath), 'a killed recording has no index').to.equal(false);
    const rows = await readTimingCsv(paths.timingPath);
    const packetsBefore = (await probeFile(paths.videoPath)).packets;
    // The CLI leaves files changed in the last 5 s alone (they may still be recording).
    const lastWrite = Math.max((await stat(paths.timingPath)).mtimeMs, (await stat(paths.metadataPath)).mtimeMs);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastWrite + 5_500 - Date.now())));
    const run = await runRepairCli(dir);
    expect(run.code, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout) as RepairReport;
    expect(report.trials).to.have.length(1);
    const [trial] = report.trials;
    expect(trial).to.deep.include({ outcome: 'repaired', framesTotal: rows.length, framesDropped: 0, endTimeUnix: rows.at(-1)!.recordTimeUnix });
    expect(trial!.videos).to.have.length(1);
    expect(trial!.videos[0]).to.deep.include({ path: paths.videoPath, index: 'added' });

    const metadata = await metadataRow(paths.metadataPath);
    expect(metadata).to.include({ end_time_unix: rows.at(-1)!.recordTimeUnix, frames_total: String(rows.length), frames_dropped: '0', video_files: 'kill9_cam.mkv' });
    // The recorder's sensor clock runs at 30 fps.
    expect(Number(metadata['actual_fps'])).to.be.closeTo(30, 0.1);

    expect(await hasMatroskaCues(paths.videoPath)).to.equal(true);
    const packetsAfter = (await probeFile(paths.videoPath)).packets;
    expect(trial!.videos[0]!.frames).to.equal(packetsAfter.length);
    expect(packetsAfter.length).to.be.at.least(rows.length);
    rows.forEach((row, i) => expect(row.videoPts, `row ${i + 1}`).to.equal(packetsAfter[i]!.pts));
    expect(packetsAfter.map((p) => p.pts)).to.deep.equal(packetsBefore.slice(0, packetsAfter.length).map((p) => p.pts));
    expect((await readdir(dir)).filter((name) => name.startsWith('.'))).to.deep.equal([]);
  });

  it('finds nothing left to repair afterwards, and leaves finished trials untouched', async () => {
    const before = await readFile(paths.metadataPath, 'utf8');
    const report = await repairTrials(dir, { ...deps, minIdleMs: 0 });
    expect(report).to.deep.include({ trialsFound: 1, trials: [] });
    expect(await readFile(paths.metadataPath, 'utf8')).to.equal(before);
  });

  it('cuts an unfinished last row off a timing CSV, and nothing off a whole one', async () => {
    const file = path.join(dir, 'partial_timing.csv');
    await writeFile(file, 'a,b\n1,2\n3,');
    expect(await dropUnfinishedLastRow(file)).to.equal(2);
    expect(await readFile(file, 'utf8')).to.equal('a,b\n1,2\n');
    expect(await dropUnfinishedLastRow(file)).to.equal(0);
  });
});
