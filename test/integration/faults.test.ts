import fs from 'node:fs';
import { expect } from 'chai';
import { startLiveModule, synthetic, sleep, type LiveModule } from '../helpers/live_module.js';
import { locatedTools } from '../helpers/run_tool.js';
import { decodeErrors } from '../helpers/ffprobe.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small_volume.js';
import { checkRecording } from '../../src/verify/recording_check.js';
import { childPids } from '../../bench/proc_cpu.js';
import type { StatusMessage, StatusName } from '../../src/events/statuses.js';

type Status<K extends StatusName> = Extract<StatusMessage, { status: K }>;

/** Resolves with the first status named `name` after index `from`, or fails after `ms`. */
async function waitFor<K extends StatusName>(m: LiveModule, name: K, from: number, ms = 20_000): Promise<Status<K>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = m.statuses.slice(from).find((s) => s.status === name);
    if (found) {
      await m.handle.idle();
      return found as Status<K>;
    }
    if (Date.now() > deadline) throw new Error(`no ${name} within ${ms} ms; saw ${m.statuses.slice(from).map((s) => s.status).join(', ')}`);
    await sleep(50);
  }
}

/** The trial's files are whole: every video file decodes cleanly and the timing CSV matches it frame for frame. */
async function expectValidTrial(stopped: Status<'recording_stopped'>): Promise<void> {
  const { ffprobe } = await locatedTools();
  const check = await checkRecording(ffprobe, stopped.data.video_files, stopped.data.timing_path);
  expect(check.problems).to.deep.equal([]);
  expect(check.packets).to.equal(check.rows).and.to.equal(stopped.data.frames_recorded);
  for (const file of stopped.data.video_files) expect(await decodeErrors(file), file).to.equal('');
}

/** The module's ffmpeg child with an argument containing `marker`. */
function childWith(marker: string): number {
  const pid = childPids(process.pid).find((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(marker)));
  if (pid === undefined) throw new Error(`no child process with ${marker} in its arguments`);
  return pid;
}

async function recordAgain(m: LiveModule, trialNumber: number): Promise<void> {
  const [started] = await m.send('record', { trial_number: trialNumber });
  expect(started?.status, JSON.stringify(started?.data)).to.equal('recording_started');
  await sleep(700);
  await expectValidTrial(m.one(await m.send('pause'), 'recording_stopped'));
}

describe('faults on real ffmpeg', function () {
  this.timeout(90_000);
  let m: LiveModule | undefined;
  afterEach(async () => {
    await m?.close();
    m = undefined;
  });

  describe('a disk that fills up (a small tmpfs)', () => {
    let volume: SmallVolume | undefined;
    beforeEach(async function () {
      const mounted = await mountSmallVolume(8);
      if ('skipped' in mounted) {
        console.log(`      skipped: ${mounted.skipped}`);
        this.skip();
      }
      volume = mounted;
    });
    afterEach(async () => {
      await m?.close();
      m = undefined;
      await volume?.unmount();
      volume = undefined;
    });

    it('crossing the block threshold stops the trial cleanly (-1010), files valid; once space is freed the next trial works', async () => {
      const v = volume!;
      m = await startLiveModule({
        storage: { base_path: v.dir },
        guard: { disk_free_gb_min: 0, check_interval_ms: 100, storage_warn_percent: 80, storage_block_percent: 90 },
      });
      await m.send('assign_device', synthetic('synthetic:640x480@30'));
      await v.fill({ usedPercent: 86 });
      const from = m.statuses.length;
      const out = await m.send('record', { trial_number: 1 });
      expect(out.map((s) => s.status)).to.deep.equal(['recording_started', 'storage_warning']);
      expect(m.one(out, 'storage_warning').data).to.include({ code: -1008, recording: true, warn_threshold: 80, block_threshold: 90 });
      const stopped = await waitFor(m, 'recording_stopped', from);
      expect(stopped.data.reason).to.equal('storage_critical');
      const error = await waitFor(m, 'error', from);
      expect(error.data.code).to.equal(-1010);
      expect(error.data.data).to.include.keys('available_space', 'total_space');
      expect(stopped.data.frames_recorded).to.be.greaterThan(0);
      await expectValidTrial(stopped);

      const [refused] = await m.send('record', { trial_number: 2 });
      expect(refused?.status === 'error' && refused.data.code).to.equal(-1010);
      await v.free();
      await recordAgain(m, 2);
    });

    it('a disk that fills before the guard sees it (ENOSPC) ends the trial at the last whole frame, files valid; the next trial works once space is freed', async () => {
      const v = volume!;
      m = await startLiveModule({
        storage: { base_path: v.dir },
        // Thresholds out of the way, and no poll during the trial: the writer meets ENOSPC itself.
        guard: { disk_free_gb_min: 0, check_interval_ms: 3_600_000, storage_warn_percent: 99, storage_block_percent: 100 },
      });
      await m.send('assign_device', synthetic('synthetic:640x480@30'));
      await v.fill({ leaveBytes: 1_500_000 });
      const from = m.statuses.length;
      m.one(await m.send('record', { trial_number: 1 }), 'recording_started');
      const stopped = await waitFor(m, 'recording_stopped', from);
      expect(stopped.data.reason).to.equal('encoder_failed');
      const error = await waitFor(m, 'error', from);
      expect(error.data).to.include({ code: -1009 });
      expect(error.data.error).to.match(/disk full/i);
      expect(stopped.data.frames_recorded).to.be.greaterThan(0);
      await expectValidTrial(stopped);

      await v.free();
      await recordAgain(m, 2);
    });
  });

  it('the encoder child (codec h264) killed mid-trial: error -1009, the MP4 plays and the timing CSV matches it; the next trial works', async () => {
    m = await startLiveModule({ record: { codec: 'h264' } });
    await m.send('assign_device', synthetic('synthetic:320x240@30'));
    const from = m.statuses.length;
    m.one(await m.send('record', { trial_number: 1 }), 'recording_started');
    await sleep(2500);
    process.kill(childWith('pipe:0'), 'SIGKILL');
    const stopped = await waitFor(m, 'recording_stopped', from);
    expect(stopped.data.reason).to.equal('encoder_failed');
    const error = await waitFor(m, 'error', from);
    expect(error.data.code).to.equal(-1009);
    expect(error.data.error).to.include('SIGKILL');
    expect(stopped.data.frames_recorded).to.be.greaterThan(0);
    await expectValidTrial(stopped);
    await recordAgain(m, 2);
  });

  it('the capture child killed mid-trial: device_lost (-1011) is reported, the files so far are valid and the trial goes on once the camera is back', async () => {
    m = await startLiveModule();
    await m.send('assign_device', synthetic('synthetic:640x480@30'));
    const from = m.statuses.length;
    m.one(await m.send('record', { trial_number: 1 }), 'recording_started');
    await sleep(1500);
    process.kill(childWith('f=framecrc'), 'SIGKILL');
    const lost = await waitFor(m, 'device_lost', from);
    expect(lost.data).to.include({ code: -1011, recording_interrupted: true, trial_number: 1 });
    await waitFor(m, 'recording_resumed', from);
    await sleep(700);
    const stopped = m.one(await m.send('pause'), 'recording_stopped');
    expect(stopped.data.video_files.length).to.be.at.least(2);
    expect(stopped.data.frames_recorded).to.be.greaterThan(0);
    await expectValidTrial(stopped);
  });

  it('ten record commands at once: exactly one recording and nine -1006 answers', async () => {
    m = await startLiveModule();
    await m.send('assign_device', synthetic('synthetic:320x240@30'));
    const from = m.statuses.length;
    await Promise.all(Array.from({ length: 10 }, (_, i) => m!.send('record', { trial_number: 1, command_id: `r-${i}` })));
    const answers = m.statuses.slice(from).filter((s) => s.command_id?.startsWith('r-'));
    expect(answers.filter((s) => s.status === 'recording_started')).to.have.length(1);
    const refusals = answers.filter((s): s is Status<'error'> => s.status === 'error');
    expect(refusals.map((s) => s.data.code)).to.deep.equal(Array<number>(9).fill(-1006));
    await sleep(500);
    await expectValidTrial(m.one(await m.send('pause'), 'recording_stopped'));
  });
});
