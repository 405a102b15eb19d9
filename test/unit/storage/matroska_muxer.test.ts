import { expect } from 'chai';
import { MatroskaMuxer } from '../../../src/storage/mkv/matroska_muxer.js';
import { MkvId } from '../../../src/storage/mkv/matroska_ids.js';
import { children, readElement, readUint, type EbmlElement } from '../../helpers/ebml_reader.js';

const track = { width: 320, height: 240, fps: 30, codecId: 'V_MJPEG' };

function mux(ptsList: readonly number[], frameSize = 100): { muxer: MatroskaMuxer; file: Buffer; blocks: Buffer[][] } {
  const muxer = new MatroskaMuxer(track, { appName: 'test-app', seekable: true });
  const blocks = ptsList.map((pts, i) => muxer.block(pts, Buffer.alloc(frameSize, i & 0xff)));
  return { muxer, file: Buffer.concat([muxer.header, ...blocks.flat()]), blocks };
}

function finalizeInto(muxer: MatroskaMuxer, file: Buffer, durationMs: number | null): Buffer {
  const { tail, patches } = muxer.finalize(durationMs);
  const out = Buffer.concat([file, tail]);
  for (const patch of patches) patch.data.copy(out, patch.position);
  return out;
}

function find(list: readonly EbmlElement[], id: number): EbmlElement {
  const element = list.find((e) => e.id === id);
  if (!element) throw new Error(`element 0x${id.toString(16)} missing`);
  return element;
}

describe('MatroskaMuxer', () => {
  it('starts with an EBML header and an unknown-size Segment', () => {
    const { file } = mux([]);
    const ebml = readElement(file, 0);
    expect(ebml.id).to.equal(MkvId.EBML);
    const segment = readElement(file, ebml.dataStart + ebml.size!);
    expect(segment.id).to.equal(MkvId.Segment);
    expect(segment.size).to.equal(null);
  });

  it('references the frame buffer itself instead of copying it', () => {
    const muxer = new MatroskaMuxer(track, { appName: 'x', seekable: true });
    const frame = Buffer.from('jpeg bytes');
    const buffers = muxer.block(0, frame);
    expect(buffers.at(-1)).to.equal(frame);
    expect(muxer.size).to.equal(muxer.header.length + buffers.reduce((n, b) => n + b.length, 0));
  });

  it('starts a Cluster every second and when the 16-bit block time would overflow', () => {
    const { blocks } = mux([0, 500, 999, 1000, 1001, 40_000]);
    const startsCluster = blocks.map((buffers) => buffers.length === 4);
    expect(startsCluster).to.deep.equal([true, false, false, true, false, true]);
    const relative = blocks.map((buffers) => buffers.at(-2)!.readInt16BE(1));
    expect(relative).to.deep.equal([0, 500, 999, 0, 1, 0]);
  });

  it('refuses pts that do not increase', () => {
    const muxer = new MatroskaMuxer(track, { appName: 'x', seekable: true });
    muxer.block(5, Buffer.alloc(1));
    expect(() => muxer.block(5, Buffer.alloc(1))).to.throw(RangeError);
  });

  it('finalizes in place: sizes, SeekHead, Cues and Duration all point where they should', () => {
    const pts = Array.from({ length: 70 }, (_, i) => i * 33);
    const { muxer, file } = mux(pts);
    const done = finalizeInto(muxer, file, 2310);
    const ebml = readElement(done, 0);
    const segment = readElement(done, ebml.dataStart + ebml.size!);
    expect(segment.dataStart + segment.size!).to.equal(done.length);
    const level1 = children(done, segment.dataStart, done.length);
    const ids = level1.map((e) => e.id);
    expect(ids).to.deep.equal([MkvId.SeekHead, MkvId.Info, MkvId.Tracks, MkvId.Cluster, MkvId.Cluster, MkvId.Cluster, MkvId.Cues]);

    const seeks = children(done, level1[0]!.dataStart, level1[0]!.dataStart + level1[0]!.size!)
      .filter((e) => e.id === MkvId.Seek)
      .map((seek) => {
        const [idElement, positionElement] = children(done, seek.dataStart, seek.dataStart + seek.size!);
        return { id: done.readUInt32BE(idElement!.dataStart), position: readUint(done, positionElement!) };
      });
    for (const seek of seeks) {
      expect(readElement(done, segment.dataStart + seek.position).id).to.equal(seek.id);
    }
    expect(seeks.map((s) => s.id)).to.deep.equal([MkvId.Info, MkvId.Tracks, MkvId.Cues]);

    const info = children(done, level1[1]!.dataStart, level1[1]!.dataStart + level1[1]!.size!);
    expect(done.readDoubleBE(find(info, MkvId.Duration).dataStart)).to.equal(2310);
    expect(readUint(done, find(info, MkvId.TimestampScale))).to.equal(1_000_000);

    const cues = level1[6]!;
    const cuePoints = children(done, cues.dataStart, cues.dataStart + cues.size!);
    expect(cuePoints).to.have.length(3);
    cuePoints.forEach((point, i) => {
      const [time, positions] = children(done, point.dataStart, point.dataStart + point.size!);
      const clusterPosition = readUint(done, find(children(done, positions!.dataStart, positions!.dataStart + positions!.size!), MkvId.CueClusterPosition));
      expect(segment.dataStart + clusterPosition).to.equal(level1[3 + i]!.start);
      const cluster = level1[3 + i]!;
      const clusterTime = readUint(done, find(children(done, cluster.dataStart, cluster.dataStart + cluster.size!), MkvId.Timestamp));
      expect(readUint(done, time!)).to.equal(clusterTime);
    });
    const blockCount = level1.slice(3, 6).reduce((n, cluster) =>
      n + children(done, cluster.dataStart, cluster.dataStart + cluster.size!).filter((e) => e.id === MkvId.SimpleBlock).length, 0);
    expect(blockCount).to.equal(70);
  });

  it('describes the track: V_MJPEG, size, DefaultDuration, app names', () => {
    const { file } = mux([]);
    const ebml = readElement(file, 0);
    const segment = readElement(file, ebml.dataStart + ebml.size!);
    const level1 = children(file, segment.dataStart, file.length);
    const tracks = find(level1, MkvId.Tracks);
    const entry = children(file, tracks.dataStart, tracks.dataStart + tracks.size!)[0]!;
    const fields = children(file, entry.dataStart, entry.dataStart + entry.size!);
    const codec = find(fields, MkvId.CodecID);
    expect(file.subarray(codec.dataStart, codec.dataStart + codec.size!).toString()).to.equal('V_MJPEG');
    expect(readUint(file, find(fields, MkvId.DefaultDuration))).to.equal(33_333_333);
    const video = find(fields, MkvId.Video);
    const dims = children(file, video.dataStart, video.dataStart + video.size!);
    expect([readUint(file, find(dims, MkvId.PixelWidth)), readUint(file, find(dims, MkvId.PixelHeight))]).to.deep.equal([320, 240]);
    const info = children(file, find(level1, MkvId.Info).dataStart, find(level1, MkvId.Info).dataStart + find(level1, MkvId.Info).size!);
    const app = find(info, MkvId.WritingApp);
    expect(file.subarray(app.dataStart, app.dataStart + app.size!).toString()).to.equal('test-app');
  });
});
