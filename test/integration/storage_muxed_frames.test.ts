import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MuxedFrameCounter, type MuxedContainer } from '../../src/storage/transcode/muxed_frames.js';
import { runTool, runToolOk } from '../helpers/run_tool.js';

/** Packets ffmpeg can read from a (possibly cut) file: what a player would see. */
async function readablePackets(file: string): Promise<number> {
  const { stdout } = await runTool('ffmpeg', ['-v', 'quiet', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', '-']);
  return stdout.toString('utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
}

async function count(file: string, container: MuxedContainer): Promise<number> {
  const counter = new MuxedFrameCounter(file, container);
  try {
    return await counter.count();
  } finally {
    await counter.close();
  }
}

describe('frames verifiably in a transcoded file (MuxedFrameCounter, real ffmpeg output)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'muxed-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const source = ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=30', '-frames:v', '90'];
  const outputs: Array<{ container: MuxedContainer; file: string; args: string[] }> = [
    { container: 'matroska', file: 'a.mkv', args: ['-c:v', 'mjpeg', '-f', 'matroska', '-cluster_time_limit', '1000'] },
    {
      container: 'mp4', file: 'a.mp4',
      args: ['-c:v', 'libx264', '-g', '30', '-bf', '0', '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof'],
    },
  ];

  for (const output of outputs) {
    it(`${output.container}: counts every frame of a finished file, and of a cut one only whole clusters or fragments`, async () => {
      const file = path.join(dir, output.file);
      await runToolOk('ffmpeg', [...source, ...output.args, file]);
      expect(await count(file, output.container)).to.equal(90);
      const bytes = readFileSync(file);
      const counts: number[] = [];
      for (const fraction of [0.2, 0.5, 0.8]) {
        const cut = path.join(dir, `cut_${fraction}_${output.file}`);
        writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * fraction)));
        const counted = await count(cut, output.container);
        expect(counted, `never more than a player reads from the file cut at ${fraction}`).to.be.at.most(await readablePackets(cut));
        counts.push(counted);
      }
      expect(counts[0], 'the first second is complete at 80 % of three').to.be.at.most(counts[2]!);
      expect(counts[2], 'cut at 80 %: the first two seconds are whole').to.be.at.least(30);
      expect(counts[2]).to.be.below(90);
    });
  }

  it('counts 0 for a file that does not exist yet or holds only its header', async () => {
    expect(await count(path.join(dir, 'missing.mkv'), 'matroska')).to.equal(0);
    const header = path.join(dir, 'header.mkv');
    writeFileSync(header, readFileSync(path.join(dir, 'a.mkv')).subarray(0, 40));
    expect(await count(header, 'matroska')).to.equal(0);
  });
});
