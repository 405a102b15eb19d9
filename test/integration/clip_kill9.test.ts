import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { childPids } from '../../bench/proc_cpu.js';
import { ClipService } from '../../src/storage/clips/clip_service.js';
import { SegmentRing } from '../../src/storage/segments/segment_ring.js';
import { json, sleep } from './clip_fixture.js';

const CHILD = path.resolve('dist/test/integration/clip_kill9_child.js');

function killTree(child: ChildProcess): void {
  const pids = childPids(child.pid!);
  child.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe('kill -9 during a clip job', function () {
  this.timeout(90_000);
  let root: string;
  let child: ChildProcess | null = null;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'clip-kill9-'));
  });

  after(async () => {
    if (child !== null && child.exitCode === null && child.signalCode === null) killTree(child);
    await rm(root, { recursive: true, force: true });
  });

  it('leaves no file under the final clip name (the temp file is cleaned up at the next start)', async () => {
    child = spawn(process.execPath, [CHILD, root, '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child!.stdout! });
      lines.once('line', resolve);
      child!.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before serving`)));
    });
    const { url, clipsDir } = JSON.parse(firstLine) as { url: string; clipsDir: string };
    let sealed: Record<string, unknown> | undefined;
    const deadline = Date.now() + 30_000;
    while (sealed === undefined) {
      const list = (await json(await fetch(`${url}/segments`)))['segments'] as Array<Record<string, unknown>>;
      sealed = list.find((segment) => segment['open'] === false);
      if (Date.now() > deadline) throw new Error('no sealed segment after 30 s');
      if (sealed === undefined) await sleep(200);
    }
    // 2 s of frames: two batches of 32 frames and one of the rest, each 1.5 s late.
    const response = await fetch(`${url}/clip`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ start_pts_ns: sealed['first_pts_ns'], stop_pts_ns: sealed['last_pts_ns'], filename: 'killed' }),
    });
    expect(response.status).to.equal(202);
    const accepted = await json(response);
    const finalPath = accepted['path'] as string;
    expect(path.basename(finalPath)).to.equal('killed.mp4');
    // Wait until the job has written its first batch into the temp file.
    for (;;) {
      const status = await json(await fetch(`${url}/clip/${accepted['clip_id'] as string}`));
      const clip = status['clip'] as Record<string, unknown>;
      if (status['status'] === 'running' && (clip['frames'] as number) > 0) break;
      expect(status['status']).to.not.equal('done');
      await sleep(50);
    }
    killTree(child);
    await new Promise((resolve) => child!.once('exit', resolve));
    expect(child.signalCode).to.equal('SIGKILL');
    const names = await readdir(clipsDir);
    expect(existsSync(finalPath), `files: ${names.join(', ')}`).to.equal(false);
    expect(names.filter((name) => name.startsWith('killed'))).to.deep.equal([]);
    expect(names.some((name) => name.startsWith('.killed.mp4.partial-'))).to.equal(true);

    // The next start removes what the killed job left.
    const ring = new SegmentRing({ dir: path.join(root, 'segments'), deviceId: 'synthetic-cam', mode: { width: 640, height: 480, fps: 30 } });
    const clips = new ClipService({ ring, clipsDir, deviceId: 'synthetic-cam', mode: () => ring.mode });
    await clips.start();
    expect((await readdir(clipsDir)).filter((name) => name.includes('.partial-'))).to.deep.equal([]);
    // The segments the child wrote are indexed again from their files, the one it was writing included.
    await ring.start();
    expect(ring.list().length).to.be.at.least(2);
    await ring.stop();
  });
});
