import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FfmpegLocator } from '../src/ffmpeg/locate.js';
import { FfprobeLocator } from '../src/ffmpeg/locate_ffprobe.js';
import { ensureMjpegClip } from '../src/camera_core/test_clip.js';
import { generateKeyFile } from '../src/crypto/symmetric_key.js';
import { runScenario, type ScenarioResult } from './scenario.js';

/**
 * node dist/bench/encryption.js: what encryption as written costs. One 1080p30 MJPEG
 * passthrough trial, recorded plain and encrypted in alternation (rounds, so a busy shared
 * machine weighs on both alike); module CPU (node + ffmpeg children) over the same window.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cameras-bench-enc-'));
  const keyFile = path.join(outDir, 'bench.key');
  generateKeyFile(keyFile);
  const ffmpeg = await new FfmpegLocator().locate();
  const ffprobe = await new FfprobeLocator().locate(ffmpeg.path);
  const fps = 30;
  const clip = await ensureMjpegClip({ ffmpegPath: ffmpeg.path, width: 1920, height: 1080, fps, seconds: 10, dir: path.join(os.tmpdir(), 'cameras-usb2-clips') });
  const clipMbit = fs.statSync(clip).size / 1048576 / 10 * 8;
  console.log(`bench encryption: 1 camera, 1080p30 MJPEG passthrough (${clipMbit.toFixed(1)} Mbit/s), ${seconds} s per trial, ${rounds} rounds`);
  const plain: ScenarioResult[] = [];
  const encrypted: ScenarioResult[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const withKey of [false, true]) {
      const dir = path.join(outDir, `round${round}-${withKey ? 'enc' : 'plain'}`);
      const result = await runScenario({ cameras: 1, seconds, clip, fps, outDir: dir, ffprobe: ffprobe.path, ...(withKey ? { keyFile } : {}) });
      fs.rmSync(dir, { recursive: true, force: true });
      (withKey ? encrypted : plain).push(result);
      console.log(`round ${round} ${withKey ? 'encrypted' : 'plain    '}: module CPU ${cpu(result).toFixed(2)} s (node ${result.cpuNode.toFixed(2)} + ffmpeg ${result.cpuChildren.toFixed(2)}); frames ${result.framesRecorded}/${result.framesExpected}, dropped ${result.framesDropped}, file=CSV ${result.fileMatchesCsv}; pause→final ${Math.max(...result.finalizeMs).toFixed(0)} ms`);
    }
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const plainCpu = median(plain.map(cpu));
  const encCpu = median(encrypted.map(cpu));
  const plainNode = median(plain.map((r) => r.cpuNode));
  const encNode = median(encrypted.map((r) => r.cpuNode));
  const paired = plain.map((p, i) => cpu(encrypted[i]!) - cpu(p));
  const mean = paired.reduce((sum, d) => sum + d, 0) / paired.length;
  console.log(`median module CPU: plain ${plainCpu.toFixed(2)} s, encrypted ${encCpu.toFixed(2)} s: ${signed(encCpu - plainCpu)} s = ${pct(encCpu - plainCpu, plainCpu)} of the plain module's cost`);
  console.log(`mean of the paired differences: ${signed(mean)} s = ${pct(mean, plainCpu)} (rounds scatter; see BENCHMARKS.md)`);
  console.log(`median node CPU:   plain ${plainNode.toFixed(2)} s, encrypted ${encNode.toFixed(2)} s (encryption runs in node)`);
  console.log(`all files matched their CSVs: ${[...plain, ...encrypted].every((r) => r.fileMatchesCsv)}`);
  fs.rmSync(outDir, { recursive: true, force: true });
}

const cpu = (r: ScenarioResult): number => r.cpuNode + r.cpuChildren;
const pct = (part: number, whole: number): string => `${signed((part / whole) * 100, 1)} %`;
const signed = (value: number, digits = 2): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
