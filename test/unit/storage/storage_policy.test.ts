import { expect } from 'chai';
import sinon from 'sinon';
import { DiskGuard, type DiskReading } from '../../../src/storage/disk_guard.js';
import type { DiskStats, DiskStatsOptions, DiskStatsProvider } from '../../../src/storage/disk_stats.js';
import { assessStorage, recordingSecondsLeft, usedPercent } from '../../../src/storage/storage_policy.js';

const GB = 1e9;
const thresholds = { warnPercent: 80, blockPercent: 90, diskFreeGbMin: 1 };

describe('storage policy', () => {
  it('counts reserved blocks as used: (total - available) / total', () => {
    expect(usedPercent({ totalBytes: 200 * GB, availableBytes: 50 * GB })).to.equal(75);
    expect(usedPercent({ totalBytes: 0, availableBytes: 0 })).to.equal(100);
  });

  it('is ok below warn, warn from warn, critical from block, inclusive', () => {
    const at = (percentUsed: number) => assessStorage({ totalBytes: 1000 * GB, availableBytes: (100 - percentUsed) * 10 * GB }, thresholds).level;
    expect([at(79.9), at(80), at(89.9), at(90), at(100)]).to.deep.equal(['ok', 'warn', 'warn', 'critical', 'critical']);
  });

  it('is critical below disk_free_gb_min even when the share used is small', () => {
    const reading = assessStorage({ totalBytes: 4 * GB, availableBytes: 0.5 * GB }, { ...thresholds, warnPercent: 98, blockPercent: 99 });
    expect(reading).to.include({ level: 'critical', belowFreeMin: true });
  });

  it('counts recordable bytes up to whichever limit comes first', () => {
    const byPercent = assessStorage({ totalBytes: 1000 * GB, availableBytes: 300 * GB }, thresholds);
    expect(byPercent.recordableBytes).to.equal(200 * GB);
    const byFreeMin = assessStorage({ totalBytes: 1000 * GB, availableBytes: 300 * GB }, { ...thresholds, diskFreeGbMin: 250 });
    expect(byFreeMin.recordableBytes).to.equal(50 * GB);
    const none = assessStorage({ totalBytes: 1000 * GB, availableBytes: 50 * GB }, thresholds);
    expect(none.recordableBytes).to.equal(0);
  });

  it('estimates seconds left only from a known, positive bitrate', () => {
    expect(recordingSecondsLeft(1_000_000, 250_000)).to.equal(4);
    expect(recordingSecondsLeft(1_000_000, null)).to.equal(null);
    expect(recordingSecondsLeft(1_000_000, 0)).to.equal(null);
  });
});

class PercentDisk implements DiskStatsProvider {
  usedPercent = 50;
  readonly calls: Array<DiskStatsOptions | undefined> = [];
  async stats(targetPath: string, options?: DiskStatsOptions): Promise<DiskStats> {
    this.calls.push(options);
    return { path: targetPath, mount: '/', totalBytes: 1000 * GB, availableBytes: (100 - this.usedPercent) * 10 * GB };
  }
}

describe('DiskGuard storage levels', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => { clock = sinon.useFakeTimers(); });
  afterEach(() => clock.restore());

  const start = (guard: DiskGuard, initial?: DiskReading) => {
    const seen: string[] = [];
    guard.start('/data', { ...thresholds, checkIntervalMs: 100 }, {
      onCritical: (r) => seen.push(`critical@${r.usedPercent}`),
      onWarn: (r) => seen.push(`warn@${r.usedPercent}`),
    }, initial);
    return seen;
  };

  it('tells each rise once: into warn, then critical; a fall and a new rise is told again', async () => {
    const disk = new PercentDisk();
    const guard = new DiskGuard(disk);
    const seen = start(guard);
    await clock.tickAsync(0);
    for (const percent of [82, 85, 91, 95, 85, 70, 92]) {
      disk.usedPercent = percent;
      await clock.tickAsync(100);
    }
    expect(seen).to.deep.equal(['warn@82', 'critical@91', 'critical@92']);
    guard.stop();
  });

  it('starts from a reading the caller already acted on, and polls with statfs only', async () => {
    const disk = new PercentDisk();
    disk.usedPercent = 85;
    const guard = new DiskGuard(disk);
    const initial = await guard.read('/data', thresholds);
    expect(initial.level).to.equal('warn');
    const seen = start(guard, initial);
    await clock.tickAsync(350);
    expect(seen).to.deep.equal([]);
    disk.usedPercent = 90;
    await clock.tickAsync(100);
    expect(seen).to.deep.equal(['critical@90']);
    expect(disk.calls.every((options) => options?.mountName === false)).to.equal(true);
    guard.stop();
  });

  it('reads another folder on request with the mount name, changing nothing', async () => {
    const disk = new PercentDisk();
    const guard = new DiskGuard(disk);
    const reading = await guard.read('/elsewhere', thresholds, { mountName: true });
    expect(reading).to.include({ path: '/elsewhere', level: 'ok', usedPercent: 50 });
    expect(disk.calls).to.deep.equal([{ mountName: true }]);
    expect(guard.lastReading).to.equal(null);
  });
});
