import { expect } from 'chai';
import path from 'node:path';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';
import type { DiskStatsProvider } from '../../../src/storage/disk_guard.js';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import type { StatusMessage } from '../../../src/events/statuses.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(h: Harness, what: string, test: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; saw ${h.statuses.map((m) => m.status).join(', ')}`);
    await sleep(5);
  }
  await h.handle.idle();
}

describe('frame consumers and the disk guard (mocked host)', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  it('keeps a tap subscribed across a camera loss and return, fed by the reopened capture', async () => {
    h = await startHarness({ config: { capture: { reconnect_initial_ms: 10, reconnect_max_ms: 20 } } });
    const seen: CapturedFrame[] = [];
    const untap = h.handle.tapFrames('test-tap', (frame) => { seen.push(frame); });
    await h.send('assign_device', ASSIGN);
    const first = h.captures.last;
    first.emitFrame();
    first.die();
    await until(h, 'device_ready after the loss', () => h.statuses.filter((m) => m.status === 'device_ready').length === 2);
    const second = h.captures.last;
    expect(second).to.not.equal(first);
    second.emitFrame();
    first.emitFrame(); // the lost capture feeds nobody any more
    expect(seen.map((f) => f.captureIndex)).to.deep.equal([0, 0]);
    untap();
    second.emitFrame();
    expect(seen).to.have.length(2);
  });

  it('records every frame while a tap that sleeps on each frame loses frames, counted in telemetry', async () => {
    h = await startHarness({ config: { telemetry: { emit_interval_ms: 20 } } });
    let slowGot = 0;
    h.handle.tapFrames('slow', async () => {
      slowGot += 1;
      await sleep(1000);
    }, { maxQueueFrames: 4 });
    await h.send('assign_device', ASSIGN);
    await h.send('record', { trial_number: 1 });
    for (let i = 0; i < 30; i += 1) h.captures.last.emitFrame();
    const [stopped] = (await h.send('pause')).filter((m) => m.status === 'recording_stopped');
    expect(stopped?.status === 'recording_stopped' && stopped.data).to.include({ frames_recorded: 30, frames_dropped: 0 });
    expect(slowGot).to.equal(1);
    await sleep(50);
    const telemetry = h.last('telemetry');
    expect(telemetry?.data.subscribers).to.deep.include({ name: 'slow', delivered: 1, dropped: 25, queued: 4 });
  });

  it('keeps watching the trial volume when apply_config changes a guard setting mid-trial', async () => {
    const nearlyFull = { totalBytes: 1000e9, availableBytes: 300e9 };
    const stats: DiskStatsProvider = {
      // The trial folder lies on its own volume; storage.base_path is on a roomy one.
      stats: async (p: string) => ({ path: p, mount: p.includes('trialvol') ? '/trialvol' : '/', totalBytes: p.includes('trialvol') ? nearlyFull.totalBytes : 1000e9, availableBytes: p.includes('trialvol') ? nearlyFull.availableBytes : 900e9 }),
    };
    h = await startHarness({ config: { guard: { check_interval_ms: 100 } }, overrides: { DiskStatsProvider: stats } });
    const states: Array<[string, string]> = [];
    h.handle.events.on('disk_state', 'test', (e) => states.push([path.basename(e.dir), e.level]));
    await h.send('assign_device', ASSIGN);
    const [started] = (await h.send('record', { trial_number: 1, output_dir: path.join(h.dir, 'trialvol') })).filter((m) => m.status === 'recording_started');
    expect(started?.status).to.equal('recording_started');
    await h.send('apply_config', { guard: { check_interval_ms: 150 } });
    nearlyFull.availableBytes = 1e9;
    await until(h, 'recording_stopped', () => h.statuses.some((m: StatusMessage) => m.status === 'recording_stopped'));
    expect(h.last('recording_stopped')?.data.reason).to.be.oneOf(['storage_critical', 'disk_low']);
    expect(states).to.deep.include(['trialvol', 'critical']);
  });

  it('accepts apply_config re-stating the mode the camera runs in during a trial, as a no-op', async () => {
    h = await startHarness();
    const ready = (await h.send('assign_device', ASSIGN)).find((m) => m.status === 'device_ready');
    const mode = ready?.status === 'device_ready' ? ready.data.record_mode : null;
    await h.send('record', { trial_number: 1 });
    const out = await h.send('apply_config', { record: { width: mode?.width, height: mode?.height, fps: mode?.fps } });
    expect(out.find((m) => m.status === 'error')).to.equal(undefined);
    expect(out.find((m) => m.status === 'config_applied')?.data).to.deep.include({ restarted_capture: false });
    const changed = (await h.send('apply_config', { record: { width: (mode?.width ?? 0) / 2 } })).find((m) => m.status === 'error');
    expect(changed?.data).to.include({ code: -1006 });
  });

  it('seals a trial when it can no longer be resumed: its CSVs announce file_closed then, not at pause', async () => {
    h = await startHarness();
    const closed: Array<[number | null, string]> = [];
    h.handle.events.on('file_closed', 'test', (file) => closed.push([file.trialNumber, file.kind]));
    await h.send('assign_device', ASSIGN);
    await h.send('record', { trial_number: 1 });
    h.captures.last.emitFrame();
    await h.send('pause');
    await h.handle.idle();
    expect(closed).to.deep.equal([[1, 'video']]);
    await h.send('record', { trial_number: 2 });
    h.captures.last.emitFrame();
    await h.handle.idle();
    expect(closed).to.deep.equal([[1, 'video'], [1, 'timing'], [1, 'metadata']]);
    const [refused] = await h.send('resume_recording');
    expect(refused?.status === 'error' && refused.data.code).to.equal(-1006);
    await h.send('quit');
    expect(closed.slice(3)).to.deep.equal([[2, 'video'], [2, 'timing'], [2, 'metadata']]);
  });
});
