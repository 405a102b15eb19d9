import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import type { TrialPaths } from '../../src/storage/types.js';
import { decodeErrors, probeFile } from '../helpers/ffprobe.js';
import { pathFfmpegInfo } from '../helpers/ffmpeg_info.js';

const childScript = fileURLToPath(new URL('../helpers/kill9_recorder.js', import.meta.url));

/** Starts the recorder child, waits for its paths line, lets it record, then SIGKILLs it. */
async function recordThenKill(outputDir: string, recordMs: number, codec: 'mjpeg' | 'h264' = 'mjpeg'): Promise<TrialPaths> {
  const registry = new ProcessRegistry(new NodeProcessSpawner());
  const proc = registry.start(process.execPath, [childScript, outputDir, codec], { stdio: ['ignore', 'pipe', 'pipe'] });
  const paths = await new Promise<TrialPaths>((resolve, reject) => {
    let out = '';
    proc.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)) as TrialPaths);
    });
    void proc.exited.then((exit) => reject(new Error(`recorder exited early (${exit.code}): ${exit.stderrTail}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, recordMs));
  proc.child.kill('SIGKILL');
  const exit = await proc.exited;
  expect(exit.signal).to.equal('SIGKILL');
  return paths;
}

describe('kill -9 while recording (integration)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kill9-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  for (const recordMs of [1500, 1234]) {
    it(`leaves a playable file whose frames cover every timing row (killed after ${recordMs} ms)`, async () => {
      const paths = await recordThenKill(dir, recordMs);
      expect(await decodeErrors(paths.videoPath)).to.equal('');
      const probe = await probeFile(paths.videoPath);
      const rows = await readTimingCsv(paths.timingPath);
      expect(rows.length).to.be.greaterThan(30);
      expect(rows.length).to.be.at.most(probe.packets.length);
      rows.forEach((row, i) => {
        expect(row.frameIndex).to.equal(i + 1);
        expect(row.videoPts, `row ${i + 1}`).to.equal(probe.packets[i]!.pts);
      });
      // Rows lag the file by at most the flush interval plus what the disk had in flight.
      expect(probe.packets.length - rows.length).to.be.below(60);
    });
  }

  it('leaves a playable MP4 when node dies while ffmpeg re-encodes (ffmpeg finalizes on stdin EOF)', async function () {
    if (!(await pathFfmpegInfo()).capabilities.hasLibx264) this.skip();
    const paths = await recordThenKill(dir, 1500, 'h264');
    // The orphaned ffmpeg finishes on its own once stdin closes; wait for the file to settle.
    let probe = await probeFile(paths.videoPath).catch(() => null);
    for (let i = 0; i < 50 && (probe === null || probe.packets.length === 0); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      probe = await probeFile(paths.videoPath).catch(() => null);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    probe = await probeFile(paths.videoPath);
    expect(await decodeErrors(paths.videoPath)).to.equal('');
    const rows = await readTimingCsv(paths.timingPath);
    expect(rows.length).to.be.greaterThan(0);
    expect(rows.length).to.be.at.most(probe.packets.length);
    rows.forEach((row, i) => expect(row.videoPts, `row ${i + 1}`).to.equal(probe!.packets[i]!.pts));
  });
});
