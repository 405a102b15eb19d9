import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FfmpegLocator } from '../src/ffmpeg/locate.js';
import { FfprobeLocator } from '../src/ffmpeg/locate_ffprobe.js';
import { ensureMjpegClip } from '../src/camera_core/test_clip.js';
import { PACKAGE_ROOT } from '../src/config/schema_registry.js';
import { bareCopyCpuSeconds } from './baseline.js';
import { runScenario, type ScenarioResult } from './scenario.js';
import { mergeReport, renderReport } from './report.js';

/**
 * npm run bench: a 1080p30 MJPEG clip replayed in real time as 1, 4 and 8 cameras, each
 * recording one trial; CPU of node + its ffmpeg children against the same number of bare
 * `ffmpeg -c copy` processes over the same window, frames lost, latencies, RSS.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    seconds: { type: 'string', default: '20' }, cameras: { type: 'string', default: '1,4,8' },
    out: { type: 'string' }, 'no-write': { type: 'boolean', default: false }, stuck: { type: 'boolean', default: true },
  } });
  const seconds = Number(values.seconds);
  const counts = String(values.cameras).split(',').map(Number);
  const outDir = values.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cameras-bench-'));
  const ffmpeg = await new FfmpegLocator().locate();
  const ffprobe = await new FfprobeLocator().locate(ffmpeg.path);
  const fps = 30;
  const clip = await ensureMjpegClip({ ffmpegPath: ffmpeg.path, width: 1920, height: 1080, fps, seconds: 10, dir: path.join(os.tmpdir(), 'cameras-usb2-clips') });
  const clipMb = fs.statSync(clip).size / 1048576;
  console.log(`bench: ${seconds} s per scenario, cameras ${counts.join(', ')}, clip ${clip} (${(clipMb / 10 * 8).toFixed(1)} Mbit/s), ffmpeg ${ffmpeg.version} (${ffmpeg.source})`);
  const rows: Array<{ scenario: ScenarioResult; bare: number }> = [];
  for (const cameras of counts) {
    const bareOutputs = Array.from({ length: cameras }, (_, i) => path.join(outDir, `bare-${cameras}-${i}.mkv`));
    const bare = await bareCopyCpuSeconds(ffmpeg.path, clip, bareOutputs, seconds);
    for (const f of bareOutputs) fs.rmSync(f, { force: true });
    const scenario = await runScenario({ cameras, seconds, clip, fps, outDir, ffprobe: ffprobe.path });
    fs.rmSync(path.join(outDir, `cams${cameras}`), { recursive: true, force: true });
    rows.push({ scenario, bare });
    const s = scenario;
    console.log(`${cameras} camera(s): module CPU ${(s.cpuNode + s.cpuChildren).toFixed(2)} s (node ${s.cpuNode.toFixed(2)} + ffmpeg ${s.cpuChildren.toFixed(2)}) vs bare copy ${bare.toFixed(2)} s; frames ${s.framesRecorded}/${s.framesExpected}, dropped ${s.framesDropped}, file=CSV ${s.fileMatchesCsv}; record→first frame ${Math.max(...s.firstFrameMs).toFixed(1)} ms max; pause→final ${Math.max(...s.finalizeMs).toFixed(1)} ms max; RSS ${s.rssStartMb}→${s.rssEndMb} MB`);
  }
  let stuck: ScenarioResult | null = null;
  if (values.stuck) {
    stuck = await runScenario({ cameras: 1, seconds, clip, fps, outDir, ffprobe: ffprobe.path, stuck: true });
    fs.rmSync(path.join(outDir, 'cams1'), { recursive: true, force: true });
    console.log(`1 camera + stuck subscriber: frames ${stuck.framesRecorded}/${stuck.framesExpected}, dropped ${stuck.framesDropped}, file=CSV ${stuck.fileMatchesCsv}; stuck subscriber lost ${stuck.stuck?.dropped}; capture fps min ${stuck.stuck?.captureFpsMin}`);
  }
  const report = renderReport({ rows, stuck, seconds, ffmpeg: `${ffmpeg.version} (${ffmpeg.source}: ${ffmpeg.path})`, clipMbit: clipMb / 10 * 8 });
  if (!values['no-write']) {
    const file = path.join(PACKAGE_ROOT, 'BENCHMARKS.md');
    fs.writeFileSync(file, mergeReport(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null, report));
    console.log(`wrote ${path.join(PACKAGE_ROOT, 'BENCHMARKS.md')}`);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
