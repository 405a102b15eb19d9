import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import { ensureMjpegClip } from '../../src/camera_core/test_clip.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { checkRecording } from '../../src/verify/recording_check.js';
import type { StatusMessage, StatusName } from '../../src/events/statuses.js';
import { captureChildPid } from '../helpers/capture_child.js';
import { readCsv } from '../helpers/csv.js';
import { sleep, startLiveModule, synthetic, type LiveModule } from '../helpers/live_module.js';
import { locatedTools } from '../helpers/run_tool.js';

const RETRY = { capture: { reconnect_initial_ms: 100, reconnect_max_ms: 400 } };

async function waitForStatus<K extends StatusName>(m: LiveModule, name: K, afterIndex: number, ms: number): Promise<Extract<StatusMessage, { status: K }>> {
  const until = performance.now() + ms;
  for (;;) {
    const found = m.statuses.slice(afterIndex).find((s) => s.status === name);
    if (found) return found as Extract<StatusMessage, { status: K }>;
    if (performance.now() > until) throw new Error(`no ${name} within ${ms} ms; saw ${m.statuses.slice(afterIndex).map((s) => s.status).join(', ')}`);
    await sleep(10);
  }
}

/**
 * Pauses, then checks: both files valid and in agreement, frame_index continuous, and the
 * first row after the gap counting the frames missed at the nominal rate (as the CSV's own
 * times say).
 */
async function pauseAndExpectGap(m: LiveModule, fps: number): Promise<number> {
  const stopped = m.one(await m.send('pause'), 'recording_stopped');
  expect(stopped.data.video_files).to.have.length(2);
  const { ffprobe } = await locatedTools();
  const check = await checkRecording(ffprobe, stopped.data.video_files, stopped.data.timing_path);
  expect(check.problems).to.deep.equal([]);
  expect(check.rows).to.equal(stopped.data.frames_recorded);
  expect(check.files.map((f) => f.packets)).to.satisfy((packets: number[]) => packets.every((n) => n > 10));
  const rows = await readTimingCsv(stopped.data.timing_path);
  const second = path.basename(stopped.data.video_files[1] as string);
  const first = rows.findIndex((r) => r.videoFile === second);
  const [before, after] = [rows[first - 1]!, rows[first]!];
  const missed = Math.round((Number(after.recordTimeMono) - Number(before.recordTimeMono)) * fps) - 1;
  expect(missed).to.be.greaterThan(0);
  expect(after.droppedBefore).to.equal(missed);
  const metadata = readCsv(stopped.data.metadata_path)[0];
  expect(metadata?.['gaps']).to.equal(`${after.frameIndex}:${missed}`);
  return missed;
}

describe('camera lost and back on real ffmpeg', function () {
  this.timeout(60_000);
  let m: LiveModule;
  afterEach(async () => { await m?.close(); });
  const startRecording = async (camera: Record<string, unknown>, trial: number): Promise<void> => {
    m = await startLiveModule(RETRY);
    m.one(await m.send('assign_device', camera), 'device_ready');
    m.one(await m.send('record', { trial_number: trial }), 'recording_started');
  };

  it('capture child killed (unplug): loss reported within 1 s, files valid, trial continues with the gap', async () => {
    await startRecording(synthetic('synthetic:320x240@30'), 1);
    await sleep(1000);
    const mark = m.statuses.length;
    const killedAt = performance.now();
    process.kill(captureChildPid('testsrc2'), 'SIGKILL');
    const lost = await waitForStatus(m, 'device_lost', mark, 1000);
    const reportedAfter = performance.now() - killedAt;
    expect(reportedAfter).to.be.below(1000);
    expect(lost.data).to.include({ code: -1011, recording_interrupted: true, trial_number: 1 });
    await waitForStatus(m, 'device_ready', mark, 5000);
    const resumed = await waitForStatus(m, 'recording_resumed', mark, 5000);
    expect(resumed.data.reason).to.equal('device_returned');
    await sleep(1000);
    const missed = await pauseAndExpectGap(m, 30);
    console.log(`      device_lost ${reportedAfter.toFixed(0)} ms after the kill; trial went on after ${resumed.data.outage_seconds} s; gap ${missed} frames`);
  });

  it('replay camera whose clip goes away and comes back: reopened only once it is back', async () => {
    const { ffmpeg } = await locatedTools();
    const dir = mkdtempSync(path.join(tmpdir(), 'cams-replug-'));
    const clip = path.join(dir, 'camera.mkv');
    copyFileSync(await ensureMjpegClip({ ffmpegPath: ffmpeg, width: 320, height: 240, fps: 25, seconds: 2, dir: path.join(tmpdir(), 'cameras-usb2-test-clips') }), clip);
    try {
      await startRecording(synthetic(`replay:${clip}`, 'replay1'), 2);
      await sleep(1000);
      const mark = m.statuses.length;
      renameSync(clip, `${clip}.away`);
      process.kill(captureChildPid(clip), 'SIGKILL');
      await waitForStatus(m, 'device_lost', mark, 1000);
      await sleep(1500);
      expect(m.statuses.slice(mark).map((s) => s.status)).to.not.include('device_ready');
      const [status] = await m.send('get_status');
      expect(status?.status === 'status_report' && status.data.state).to.equal('recording');
      renameSync(`${clip}.away`, clip);
      const resumed = await waitForStatus(m, 'recording_resumed', mark, 5000);
      await sleep(1000);
      const missed = await pauseAndExpectGap(m, 25);
      expect(missed).to.be.greaterThan(1.5 * 25);
      console.log(`      clip away 1.5 s: trial went on after ${resumed.data.outage_seconds} s; gap ${missed} frames`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('frozen capture (child stopped, no exit): the frame watchdog declares the camera lost after about 1 s', async () => {
    await startRecording(synthetic('synthetic:320x240@30', 'frozen'), 3);
    await sleep(800);
    const mark = m.statuses.length;
    const frozenAt = performance.now();
    process.kill(captureChildPid('testsrc2'), 'SIGSTOP');
    const lost = await waitForStatus(m, 'device_lost', mark, 3000);
    const after = performance.now() - frozenAt;
    expect(after).to.be.within(900, 2000);
    expect(lost.data.error).to.contain('no frame for 1000 ms');
    const resumed = await waitForStatus(m, 'recording_resumed', mark, 5000);
    await sleep(800);
    const missed = await pauseAndExpectGap(m, 30);
    console.log(`      device_lost ${after.toFixed(0)} ms after the freeze; trial went on after ${resumed.data.outage_seconds} s; gap ${missed} frames`);
  });
});
