import { realpathSync } from 'node:fs';
import { expect } from 'chai';
import sinon from 'sinon';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiskGuard, type DiskReading } from '../../../src/storage/disk_guard.js';
import { pickMount, SystemDiskStatsProvider, type DiskStats, type DiskStatsProvider } from '../../../src/storage/disk_stats.js';
import type { LogFields, Logger } from '../../../src/logging/logger.js';

const GB = 1e9;

class FakeDisk implements DiskStatsProvider {
  freeGb = 10;
  calls = 0;
  running = 0;
  maxRunning = 0;
  delayMs = 0;
  failWith: Error | null = null;

  async stats(targetPath: string): Promise<DiskStats> {
    this.calls += 1;
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failWith) throw this.failWith;
      return { path: targetPath, mount: '/', totalBytes: 100 * GB, availableBytes: this.freeGb * GB };
    } finally {
      this.running -= 1;
    }
  }
}

class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  debug(): void {}
  info(): void {}
  warn(message: string, fields?: LogFields): void { this.lines.push(`${message} ${JSON.stringify(fields)}`); }
  error(message: string, fields?: LogFields): void { this.lines.push(`${message} ${JSON.stringify(fields)}`); }
}

/** Percent thresholds far above the fake disk's 90 % use unless a test lowers them. */
const options = (diskFreeGbMin: number, checkIntervalMs: number, warnPercent = 98, blockPercent = 99) =>
  ({ diskFreeGbMin, checkIntervalMs, warnPercent, blockPercent });
const handlers = (onCritical: (reading: DiskReading) => void = () => undefined, onWarn: (reading: DiskReading) => void = () => undefined) =>
  ({ onCritical, onWarn });

describe('DiskGuard', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('reads at once and then every interval', async () => {
    const disk = new FakeDisk();
    const guard = new DiskGuard(disk);
    guard.start('/data', options(1, 1000), handlers());
    await clock.tickAsync(0);
    expect(disk.calls).to.equal(1);
    await clock.tickAsync(3000);
    expect(disk.calls).to.equal(4);
    guard.stop();
    await clock.tickAsync(5000);
    expect(disk.calls).to.equal(4);
  });

  it('calls onCritical once per fall below disk_free_gb_min', async () => {
    const disk = new FakeDisk();
    const onLow = sinon.spy();
    const guard = new DiskGuard(disk);
    guard.start('/data', options(2, 100), handlers(onLow));
    await clock.tickAsync(0);
    expect(guard.level).to.equal('ok');
    disk.freeGb = 1.5;
    await clock.tickAsync(500);
    expect(onLow.callCount).to.equal(1);
    expect(onLow.firstCall.args[0]).to.include({ freeGb: 1.5, belowFreeMin: true, level: 'critical' });
    expect(guard.level).to.equal('critical');
    disk.freeGb = 3;
    await clock.tickAsync(100);
    expect(guard.level).to.equal('ok');
    disk.freeGb = 0.5;
    await clock.tickAsync(300);
    expect(onLow.callCount).to.equal(2);
    guard.stop();
  });

  it('never runs two checks at once', async () => {
    const disk = new FakeDisk();
    disk.delayMs = 250;
    const guard = new DiskGuard(disk);
    guard.start('/data', options(1, 100), handlers());
    const manual = [guard.check(), guard.check()];
    await clock.tickAsync(2000);
    await Promise.all(manual);
    expect(disk.maxRunning).to.equal(1);
    // Re-armed only after each check: 250 ms check + 100 ms wait.
    expect(disk.calls).to.be.within(5, 6);
    guard.stop();
  });

  it('logs a failing check instead of throwing from the timer, and keeps polling', async () => {
    const disk = new FakeDisk();
    disk.failWith = new Error('df exploded');
    const logger = new RecordingLogger();
    const guard = new DiskGuard(disk, logger);
    guard.start('/data', options(1, 100), handlers());
    await clock.tickAsync(250);
    expect(logger.lines.length).to.be.greaterThan(1);
    expect(logger.lines[0]).to.contain('df exploded');
    let error: unknown = null;
    await guard.check().catch((err: unknown) => { error = err; });
    expect(error).to.have.property('kind', 'STORAGE_UNAVAILABLE');
    disk.failWith = null;
    expect((await guard.check()).freeGb).to.equal(10);
    guard.stop();
  });

  it('logs a throwing handler', async () => {
    const disk = new FakeDisk();
    disk.freeGb = 0.1;
    const logger = new RecordingLogger();
    const guard = new DiskGuard(disk, logger);
    guard.start('/data', options(1, 100), handlers(() => { throw new Error('handler bug'); }));
    await clock.tickAsync(0);
    expect(logger.lines.join()).to.contain('handler bug');
    guard.stop();
  });

  it('rejects check() when not started', async () => {
    let error: unknown = null;
    await new DiskGuard(new FakeDisk()).check().catch((err: unknown) => { error = err; });
    expect(error).to.have.property('kind', 'STORAGE_UNAVAILABLE');
  });
});

describe('SystemDiskStatsProvider', () => {
  it('picks the longest mount that contains the path', () => {
    const mounts = [
      { mount: '/', size: 1, available: 1 },
      { mount: '/data', size: 2, available: 2 },
      { mount: '/data/usb', size: 3, available: 3 },
      { mount: '/dat', size: 4, available: 4 },
    ];
    expect(pickMount(mounts, '/data/usb/rec')?.size).to.equal(3);
    expect(pickMount(mounts, '/data/usb2')?.size).to.equal(2);
    expect(pickMount(mounts, '/database')?.size).to.equal(1);
    expect(pickMount([], '/x')).to.equal(null);
  });

  it('measures a folder that does not exist yet on its nearest existing ancestor', async () => {
    const provider = new SystemDiskStatsProvider();
    const stats = await provider.stats(path.join(tmpdir(), 'not', 'yet', 'there'));
    expect(stats.totalBytes).to.be.greaterThan(0);
    expect(stats.availableBytes).to.be.within(0, stats.totalBytes);
  });

  it('takes the numbers from statfs and only the mount name from the mount list, asked once per path', async () => {
    let listed = 0;
    const provider = new SystemDiskStatsProvider(undefined, () => {
      listed += 1;
      return Promise.resolve([{ mount: '/', size: 42, available: 41 }]);
    });
    const first = await provider.stats(tmpdir());
    await provider.stats(tmpdir());
    expect(first.totalBytes).to.not.equal(42);
    expect(listed).to.equal(1);
    // '/proc' is its own device: a mount list claiming it lives on '/' must not name it '/'.
    expect((await provider.stats('/proc/self')).mount).to.not.equal('/');
    const failing = new SystemDiskStatsProvider(undefined, () => Promise.reject(new Error('no df')));
    const viaPath = await failing.stats(tmpdir());
    expect(viaPath.totalBytes).to.be.greaterThan(0);
    expect(viaPath.mount).to.equal(realpathSync(tmpdir()));
  });
});
