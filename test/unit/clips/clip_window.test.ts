import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { sanitizeFilename } from '../../../src/storage/clips/clip_service.js';
import { ClipRejection, overlaps, parsePtsNs, requestedWindow } from '../../../src/storage/clips/clip_window.js';
import { Mp4ClipWriter } from '../../../src/storage/clips/mp4_writer.js';
import type { SegmentInfo } from '../../../src/storage/segments/segment_files.js';

function rejects(fn: () => unknown, status: number, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ClipRejection);
    expect((err as ClipRejection).statusCode).to.equal(status);
    expect((err as Error).message).to.match(message);
    return;
  }
  expect.fail('accepted');
}

const segment = (first: bigint, last: bigint, open = false, offsetNs = 1_000n): SegmentInfo => ({
  id: 's', videoPath: '', timingPath: '', open, firstPtsNs: first, lastPtsNs: last, firstEpochMs: 0, lastEpochMs: 0, frames: 1, bytes: 1, offsetNs,
});

describe('clip windows', () => {
  it('reads pts as decimal strings or safe integers, exactly', () => {
    expect(parsePtsNs('9223372036854775807', 'x')).to.equal(9223372036854775807n);
    rejects(() => parsePtsNs('9223372036854775808', 'stop_pts_ns'), 400, /stop_pts_ns is beyond int64/);
    rejects(() => parsePtsNs('99999999999999999999', 'stop_pts_ns'), 400, /beyond int64/);
    expect(parsePtsNs(' 42 ', 'x')).to.equal(42n);
    expect(parsePtsNs(9007199254740991, 'x')).to.equal(9007199254740991n);
    rejects(() => parsePtsNs(2 ** 60, 'start_pts_ns'), 400, /2\^53.*decimal string/);
    rejects(() => parsePtsNs(1.5, 'x'), 400, /integer/);
    rejects(() => parsePtsNs('-1', 'x'), 400, /negative/);
    rejects(() => parsePtsNs('1e9', 'x'), 400, /integer/);
    rejects(() => parsePtsNs(null, 'x'), 400, /integer/);
  });

  it('gives pts precedence over epoch, applies pre/postroll and refuses stop <= start', () => {
    const both = requestedWindow({ start_pts_ns: '1000000000', stop_pts_ns: '2000000000', start_epoch_ms: 1, stop_epoch_ms: 2, preroll_ms: 100, postroll_ms: 50 }, null);
    expect(both.window).to.deep.include({ mode: 'pts', fromNs: 900_000_000n, toNs: 2_050_000_000n });
    expect(requestedWindow({ start_pts_ns: 5, stop_pts_ns: 10, preroll_ms: 1000 }, null).window).to.deep.include({ fromNs: 0n });
    const epoch = requestedWindow({ start_epoch_ms: 1000.5, stop_epoch_ms: 2000 }, 7n);
    expect(epoch.window).to.deep.equal({ mode: 'epoch', fromEpochNs: 1_000_500_000n, toEpochNs: 2_000_000_000n, timelineOffsetNs: 7n });
    rejects(() => requestedWindow({ start_pts_ns: '5', stop_pts_ns: '5' }, null), 400, /must be after/);
    rejects(() => requestedWindow({ start_epoch_ms: 5, stop_epoch_ms: 4 }, null), 400, /must be after/);
    rejects(() => requestedWindow({ start_epoch_ms: -5, stop_epoch_ms: 4 }, null), 400, /negative/);
    rejects(() => requestedWindow({ stop_pts_ns: '5' }, null), 400, /go together/);
    rejects(() => requestedWindow({}, null), 400, /give start_pts_ns/);
    rejects(() => requestedWindow({ start_pts_ns: '1', stop_pts_ns: '2', preroll_ms: -1 }, null), 400, /preroll_ms/);
  });

  it('finds overlapping segments: sealed by range, the open one up to any future time, other timelines only by epoch', () => {
    const pts = (from: bigint, to: bigint) => requestedWindow({ start_pts_ns: String(from), stop_pts_ns: String(to) }, 1_000n).window;
    expect(overlaps(pts(10n, 20n), segment(15n, 30n))).to.equal(true);
    expect(overlaps(pts(31n, 40n), segment(15n, 30n))).to.equal(false);
    expect(overlaps(pts(31n, 40n), segment(15n, 30n, true))).to.equal(true);
    expect(overlaps(pts(1n, 14n), segment(15n, 30n, true))).to.equal(false);
    // A segment from another capture clock (offset 10 s away) is not reachable by pts...
    expect(overlaps(pts(10n, 20n), segment(15n, 30n, false, 10_000_000_000n))).to.equal(false);
    // ...but by epoch, mapped with its own offset.
    const epoch = requestedWindow({ start_epoch_ms: 10_000, stop_epoch_ms: 10_001 }, 1_000n).window;
    expect(overlaps(epoch, segment(0n, 1_000_000_000n, false, 10_000_000_000n))).to.equal(true);
  });

  it('sanitizes file names: no folders, no leading dots, only safe characters', () => {
    expect(sanitizeFilename('../../etc/passwd')).to.equal('passwd');
    expect(sanitizeFilename('..\\..\\x y.mp4')).to.equal('x_y.mp4');
    expect(sanitizeFilename('.hidden')).to.equal('hidden');
    expect(sanitizeFilename('a\u0000b\nc')).to.equal('a_b_c');
    expect(sanitizeFilename('x'.repeat(300)).length).to.equal(120);
  });
});

describe('Mp4ClipWriter', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mp4-unit-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes ftyp, a 64-bit mdat holding the frames as given, then moov; refuses an existing file', async () => {
    const file = path.join(dir, 'a.mp4');
    const writer = await Mp4ClipWriter.create(file, { width: 32, height: 16, fps: 30 });
    const frames = [Buffer.from('frame-one'), Buffer.from('frame-two!')];
    await writer.append([{ data: frames[0]!, pts: 0 }, { data: frames[1]!, pts: 33 }]);
    await writer.append([]).catch(() => undefined);
    let refused = false;
    await writer.append([{ data: frames[0]!, pts: 33 }]).catch(() => (refused = true));
    expect(refused).to.equal(true);
    const { frames: count } = await writer.finish();
    expect(count).to.equal(2);
    const bytes = await readFile(file);
    expect(bytes.subarray(4, 8).toString('latin1')).to.equal('ftyp');
    const ftypSize = bytes.readUInt32BE(0);
    expect(bytes.subarray(ftypSize + 4, ftypSize + 8).toString('latin1')).to.equal('mdat');
    const mdatSize = Number(bytes.readBigUInt64BE(ftypSize + 8));
    expect(mdatSize).to.equal(16 + 19);
    expect(bytes.subarray(ftypSize + 16, ftypSize + 16 + 19).toString('latin1')).to.equal('frame-oneframe-two!');
    expect(bytes.subarray(ftypSize + mdatSize + 4, ftypSize + mdatSize + 8).toString('latin1')).to.equal('moov');
    let exists = false;
    await Mp4ClipWriter.create(file, { width: 32, height: 16, fps: 30 }).catch((err: NodeJS.ErrnoException) => (exists = err.code === 'EEXIST'));
    expect(exists).to.equal(true);
  });
});
