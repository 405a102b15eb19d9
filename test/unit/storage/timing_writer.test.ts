import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatNsAsSeconds, TIMING_COLUMNS, type TimingRow } from '../../../src/storage/timing_format.js';
import { readTimingCsv } from '../../../src/storage/timing_reader.js';
import { TimingCSVWriter } from '../../../src/storage/timing_writer.js';
import { rejectionOf } from '../../helpers/rejection.js';

const HEADER = 'trial,module,device_id,label,record_time_unix,record_time_mono,frame_index,sensor_timestamp_ns,video_pts,dropped_before,video_file';

function row(frameIndex: number, overrides: Partial<TimingRow> = {}): TimingRow {
  return {
    recordTime: { unixNs: 1_700_000_000_123_456_789n, monoNs: 98_765_432_101_234n },
    frameIndex,
    sensorTimestampNs: 5_000_000_000n + BigInt(frameIndex) * 33_333_333n,
    videoPts: (frameIndex - 1) * 33,
    droppedBefore: 0,
    videoFile: 's_cam.mkv',
    ...overrides,
  };
}

describe('timing CSV', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'timing-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('formats nanoseconds with exact decimals by integer arithmetic', () => {
    expect(formatNsAsSeconds(1_700_000_000_123_456_789n, 6)).to.equal('1700000000.123457');
    expect(formatNsAsSeconds(1_700_000_000_123_456_789n, 9)).to.equal('1700000000.123456789');
    expect(formatNsAsSeconds(1_700_000_000_999_999_500n, 6)).to.equal('1700000001.000000');
    expect(formatNsAsSeconds(5n, 9)).to.equal('0.000000005');
    expect(formatNsAsSeconds(0n, 6)).to.equal('0.000000');
    expect(formatNsAsSeconds(-1_500n, 6)).to.equal('-0.000002');
    // A double would print 1700000000.1234567 as ...123457 only by luck; the bigint path is exact.
    expect(formatNsAsSeconds(9_007_199_254_740_993_001n, 9)).to.equal('9007199254.740993001');
  });

  it('writes the exact header, the label quoted, and only committed rows', async () => {
    const file = path.join(dir, 't.csv');
    const writer = await TimingCSVWriter.open(file, { trial: 3, deviceId: 'usb-0000:00:14.0-1', label: 'go, left', flushIntervalMs: 10_000 });
    expect(TIMING_COLUMNS.join(',')).to.equal(HEADER);
    writer.add(row(1));
    writer.add(row(2, { droppedBefore: 2 }));
    await writer.flush();
    expect(readFileSync(file, 'utf8')).to.equal(`${HEADER}\n`);
    writer.commit(1);
    await writer.flush();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[1]).to.equal('3,Cameras-USB2,usb-0000:00:14.0-1,"go, left",1700000000.123457,98765.432101234,1,5033333333,0,0,s_cam.mkv');
    expect(lines).to.have.length(3);
    expect(writer.rowsWaiting).to.equal(1);
    expect(writer.discardUncommitted()).to.equal(1);
    await writer.close();
    expect(writer.rowsWritten).to.equal(1);
  });

  it('quotes an empty label too', async () => {
    const file = path.join(dir, 't.csv');
    const writer = await TimingCSVWriter.open(file, { trial: 1, deviceId: 'cam', label: null });
    writer.add(row(1));
    writer.commit(1);
    await writer.close();
    expect(readFileSync(file, 'utf8').split('\n')[1]).to.match(/^1,Cameras-USB2,cam,"",/);
  });

  it('flushes committed rows on its timer', async () => {
    const file = path.join(dir, 't.csv');
    const writer = await TimingCSVWriter.open(file, { trial: 1, deviceId: 'cam', label: 'x', flushIntervalMs: 20 });
    writer.add(row(1));
    writer.commit(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(readFileSync(file, 'utf8').split('\n')).to.have.length(3);
    await writer.close();
  });

  it('discards rows whose frames missed the file before they reach the disk; the file only ever grows', async () => {
    const file = path.join(dir, 'grow.csv');
    const writer = await TimingCSVWriter.open(file, { trial: 1, deviceId: 'd', label: null, flushIntervalMs: 1 });
    const sizes: number[] = [statSync(file).size];
    for (let i = 1; i <= 5; i += 1) writer.add(row(i));
    writer.commit(3);
    await writer.flush();
    sizes.push(statSync(file).size);
    expect(writer.discardUncommitted()).to.equal(2);
    await writer.close();
    sizes.push(statSync(file).size);
    expect((await readTimingCsv(file)).map((r) => r.frameIndex)).to.deep.equal([1, 2, 3]);
    expect(sizes).to.deep.equal([...sizes].sort((a, b) => a - b));
    expect(sizes.at(-1)).to.equal(sizes[1]);
  });

  it('refuses to append through a link planted at the timing file\'s name', async () => {
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'untouched');
    const link = path.join(dir, 'link_timing.csv');
    symlinkSync(victim, link);
    const error = await rejectionOf(TimingCSVWriter.open(link, { trial: 1, deviceId: 'd', label: null, append: true }));
    expect(error.kind).to.equal('STORAGE_UNAVAILABLE');
    expect(readFileSync(victim, 'utf8')).to.equal('untouched');
  });

  it('appends without a second header and never overwrites a new file', async () => {
    const file = path.join(dir, 't.csv');
    const first = await TimingCSVWriter.open(file, { trial: 1, deviceId: 'cam', label: 'a' });
    first.add(row(1));
    first.commit(1);
    await first.close();
    let refused: unknown = null;
    await TimingCSVWriter.open(file, { trial: 1, deviceId: 'cam', label: 'a' }).catch((err: unknown) => { refused = err; });
    expect(refused).to.have.property('kind', 'STORAGE_UNAVAILABLE');
    const second = await TimingCSVWriter.open(file, { trial: 1, deviceId: 'cam', label: 'a', append: true });
    second.add(row(2, { videoFile: 's_cam_part2.mkv', videoPts: 0 }));
    second.commit(1);
    await second.close();
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter((line) => line === HEADER)).to.have.length(1);
    const rows = await readTimingCsv(file);
    expect(rows.map((r) => [r.frameIndex, r.videoFile, r.videoPts])).to.deep.equal([[1, 's_cam.mkv', 0], [2, 's_cam_part2.mkv', 0]]);
    expect(rows[0]!.sensorTimestampNs).to.equal(5_033_333_333n);
    expect(rows[0]!.label).to.equal('a');
  });
});
