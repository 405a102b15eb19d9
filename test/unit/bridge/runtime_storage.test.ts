import fs from 'node:fs';
import { expect } from 'chai';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';
import { readCsv } from '../../helpers/csv.js';
import type { StatusMessage } from '../../../src/events/statuses.js';

const GIB = 1024 ** 3;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The fake volume at `percent` used of 1000 GiB. */
function fill(h: Harness, percent: number): void {
  h.disk.totalBytes = 1000 * GIB;
  h.disk.availableBytes = Math.round((100 - percent) * 10 * GIB);
}

const names = (out: readonly StatusMessage[]): string[] => out.map((m) => m.status);

describe('CamerasRuntime: storage thresholds, get_storage_info, rotation (mocked host, DI fakes)', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  describe('with the default thresholds', () => {
    beforeEach(async () => { h = await startHarness(); });

    it('starts a trial at or above the warn threshold and says storage is low (-1008) with the figures', async () => {
      await h.send('assign_device', ASSIGN);
      fill(h, 85);
      const out = await h.send('record', { trial_number: 1, command_id: 'r-1' });
      expect(names(out)).to.deep.equal(['recording_started', 'storage_warning']);
      const warning = out[1]?.status === 'storage_warning' ? out[1] : null;
      expect(warning?.command_id).to.equal('r-1');
      expect(warning?.data).to.include({
        code: -1008, used_percent: 85, warn_threshold: 80, block_threshold: 90, recording: true,
        available_space: 150 * GIB, total_space: 1000 * GIB,
      });
      expect(warning?.data.message).to.match(/^Storage space is low: /);
    });

    it('refuses record at or above the block threshold with -1010 and the available and total space', async () => {
      await h.send('assign_device', ASSIGN);
      fill(h, 90);
      const [refused, ...rest] = await h.send('record', { trial_number: 1 });
      expect(rest).to.deep.equal([]);
      expect(refused?.status === 'error' && refused.data).to.deep.include({ code: -1010, command: 'record', recoverable: true });
      const data = refused?.status === 'error' ? refused.data.data : undefined;
      expect(data).to.include({ available_space: 100 * GIB, total_space: 1000 * GIB, used_percent: 90, block_threshold: 90 });
      expect(refused?.status === 'error' && refused.data.error).to.match(/^Storage space is critical: 107\.37 GB available of 1073\.74 GB/);
      const [status] = await h.send('get_status');
      expect(status?.status === 'status_report' && status.data).to.include({ state: 'capturing', recording: false });
      fill(h, 50);
      expect(names(await h.send('record', { trial_number: 1 }))).to.deep.equal(['recording_started']);
    });

    it('refuses record with -1010 below guard.disk_free_gb_min too', async () => {
      await h.send('assign_device', ASSIGN);
      h.disk.totalBytes = 8e9;
      h.disk.availableBytes = 0.5e9;
      const [refused] = await h.send('record');
      expect(refused?.status === 'error' && refused.data.code).to.equal(-1010);
      expect(refused?.status === 'error' && refused.data.error).to.include('guard.disk_free_gb_min');
    });

    it('answers get_storage_info with space, thresholds, and no estimate before any trial', async () => {
      fill(h, 60);
      const [info] = await h.send('get_storage_info', { command_id: 's-1' });
      expect(info?.command_id).to.equal('s-1');
      expect(info?.status === 'storage_info' && info.data).to.deep.include({
        path: h.dir, total_space: 1000 * GIB, available_space: 400 * GIB, used_space: 600 * GIB, used_percent: 60,
        warn_threshold: 80, block_threshold: 90, disk_free_gb_min: 1, level: 'ok', recordable_bytes: 300 * GIB,
        bytes_per_second: null, bitrate_source: null, estimated_seconds_left: null,
      });
    });

    it('estimates the recording time left from the running trial, then from the last one', async () => {
      await h.send('assign_device', ASSIGN);
      fill(h, 70);
      const [started] = await h.send('record', { trial_number: 1 });
      for (let i = 0; i < 60; i += 1) h.captures.last.emitFrame();
      await sleep(400); // the timing rows reach the file
      const [running] = await h.send('get_storage_info');
      const timingPath = started?.status === 'recording_started' ? started.data.timing_path : '';
      // 60 frames 33333333 ns apart last 60 intervals; the fake video writer keeps its frames in memory.
      const expectedRate = fs.statSync(timingPath).size / (60 * 0.033333333);
      expect(running?.status === 'storage_info' && running.data).to.include({ bitrate_source: 'current_trial', bytes_per_second: Math.round(expectedRate) });
      expect(running?.status === 'storage_info' && running.data.estimated_seconds_left).to.equal(Math.round((200 * GIB) / expectedRate));
      await h.send('pause');
      const [after] = await h.send('get_storage_info');
      expect(after?.status === 'storage_info' && after.data.bitrate_source).to.equal('last_trial');
    });
  });

  describe('with a fast guard', () => {
    beforeEach(async () => { h = await startHarness({ config: { guard: { check_interval_ms: 100 } } }); });

    it('stops a running trial cleanly when the volume crosses the block threshold, then says why (-1010)', async () => {
      await h.send('assign_device', ASSIGN);
      await h.send('record', { trial_number: 2 });
      for (let i = 0; i < 5; i += 1) h.captures.last.emitFrame();
      fill(h, 95);
      await sleep(300);
      await h.handle.idle();
      const stopped = h.last('recording_stopped');
      expect(stopped?.data).to.include({ reason: 'storage_critical', frames_recorded: 5, trial_number: 2 });
      const error = h.last('error');
      expect(error?.data).to.include({ code: -1010, command: null });
      expect(h.statuses.indexOf(error!)).to.be.greaterThan(h.statuses.indexOf(stopped!));
      const [status] = await h.send('get_status');
      expect(status?.status === 'status_report' && status.data.state).to.equal('capturing');
    });

    it('says once that space is low when the volume rises into the warn band during a trial', async () => {
      await h.send('assign_device', ASSIGN);
      await h.send('record', { trial_number: 1 });
      fill(h, 82);
      await sleep(350);
      await h.handle.idle();
      const warnings = h.statuses.filter((m) => m.status === 'storage_warning');
      expect(warnings).to.have.length(1);
      expect(warnings[0]?.status === 'storage_warning' && warnings[0].data).to.include({ recording: true, used_percent: 82 });
      expect(h.last('recording_stopped')).to.equal(undefined);
    });

    it('stops with reason disk_low and a disk_low status below disk_free_gb_min', async () => {
      await h.send('assign_device', ASSIGN);
      await h.send('record', { trial_number: 1 });
      h.disk.totalBytes = 8e9;
      h.disk.availableBytes = 0.5e9;
      await sleep(300);
      await h.handle.idle();
      expect(h.last('recording_stopped')?.data.reason).to.equal('disk_low');
      expect(h.last('disk_low')?.data).to.include({ free_gb: 0.5, min_required_gb: 1 });
    });
  });

  describe('recording state in get_status and telemetry', () => {
    beforeEach(async () => { h = await startHarness({ config: { telemetry: { emit_interval_ms: 50 } } }); });

    it('reports recording, session, trial, current file, elapsed time, frames and drops', async () => {
      await h.send('start_session', { session_id: 'S-1' });
      await h.send('assign_device', ASSIGN);
      const started = (await h.send('record', { trial_number: 4 })).find((m) => m.status === 'recording_started');
      const videoPath = started?.status === 'recording_started' ? started.data.video_path : '';
      for (let i = 0; i < 3; i += 1) h.captures.last.emitFrame(i === 2 ? 1 : 0);
      const [status] = await h.send('get_status');
      expect(status?.status === 'status_report' && status.data).to.include({
        recording: true, state: 'recording', session_id: 'S-1', trial_number: 4, current_file: videoPath, frames_recorded: 3, frames_dropped: 1,
      });
      await sleep(120);
      const telemetry = h.last('telemetry');
      expect(telemetry?.data).to.include({ recording: true, session_id: 'S-1', trial_number: 4, current_file: videoPath, frames_recorded: 3, frames_dropped: 1 });
      expect(telemetry?.data.elapsed_seconds).to.be.a('number');
      await h.send('pause');
      await sleep(120);
      expect(h.last('telemetry')?.data).to.include({ recording: false, session_id: null, trial_number: null, current_file: null, elapsed_seconds: null });
    });
  });

  describe('rotation', () => {
    beforeEach(async () => {
      h = await startHarness();
      await h.send('apply_config', { storage: { rotation_seconds: 1 } });
    });

    it('splits a long trial into timestamped files, announced by recording_rotated; one timing CSV goes on', async () => {
      await h.send('assign_device', ASSIGN);
      const [started] = await h.send('record', { trial_number: 1 });
      // Frames 1/30 s apart in capture time, each after the previous one was handled, as from a camera;
      // a few ms apart in real time, so the next file's name is reserved (real file-system calls) before
      // the following frame, as between a camera's frames.
      for (let i = 0; i < 75; i += 1) {
        h.captures.last.emitFrame();
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      await h.handle.idle();
      const rotations = h.statuses.filter((m) => m.status === 'recording_rotated');
      expect(rotations).to.have.length(2);
      const first = rotations[0]?.status === 'recording_rotated' ? rotations[0].data : null;
      // Frame 32 is the first to arrive a whole second (31 intervals of 33.33 ms) after frame 1.
      expect(first).to.include({ trial_number: 1, file_index: 2, previous_file_frames: 31, next_frame_index: 32 });
      expect(first?.video_path).to.match(/session_trial001_hd_pro_webcam_c920_\d{8}-\d{6}(_\d+)?\.mkv$/);
      const [stopped] = await h.send('pause');
      const data = stopped?.status === 'recording_stopped' ? stopped.data : null;
      expect(data?.frames_recorded).to.equal(75);
      expect(data?.frames_dropped).to.equal(0);
      expect(data?.video_files).to.have.length(3);
      expect(h.writers.writers.map((w) => w.frames.length)).to.deep.equal([31, 31, 13]);
      const rows = readCsv(started?.status === 'recording_started' ? started.data.timing_path : '');
      expect(rows.map((r) => Number(r['frame_index']))).to.deep.equal(Array.from({ length: 75 }, (_, i) => i + 1));
      expect(new Set(rows.map((r) => r['video_file'])).size).to.equal(3);
    });
  });

  describe('concurrent record commands', () => {
    beforeEach(async () => { h = await startHarness(); });

    it('ten records at once give exactly one trial and nine -1006 answers', async () => {
      await h.send('assign_device', ASSIGN);
      for (let i = 0; i < 10; i += 1) h.sendRaw('record', { command_id: `r-${i}` });
      await h.handle.idle();
      const answers = h.statuses.filter((m) => m.command_id?.startsWith('r-'));
      expect(answers.filter((m) => m.status === 'recording_started')).to.have.length(1);
      const refusals = answers.filter((m) => m.status === 'error');
      expect(refusals).to.have.length(9);
      for (const refusal of refusals) expect(refusal.status === 'error' && refusal.data.code).to.equal(-1006);
    });
  });
});
