import { expect } from 'chai';
import { FramecrcParser, type Timebase } from '../../../src/camera_core/framecrc_parser.js';

const SAMPLE_5_1 = [
  '#software: Lavf59.27.100',
  '#tb 0: 1/30',
  '#media_type 0: video',
  '#codec_id 0: mjpeg',
  '#dimensions 0: 640x480',
  '#sar 0: 1/1',
  '0,          0,          0,        1,    19807, 0x1851d047, S=1,        8',
  '0,          1,          1,        1,    19999, 0xc7410c87, S=1,        8',
  '',
].join('\n');

const SAMPLE_4_1_V4L2 = [
  '#tb 0: 1/1000000',
  '0, 1234567890123, 1234567890123,    33333,   150000, 0x02820051, S=1,        8, 0x02820051',
  '0, 1234567890456, 1234567890456,    33333,   150001, 0x02820052',
  '',
].join('\n');

function collect(chunks: Buffer[]): { timebases: Timebase[]; packets: [bigint, number][] } {
  const timebases: Timebase[] = [];
  const packets: [bigint, number][] = [];
  const parser = new FramecrcParser({ timebase: (tb) => timebases.push(tb), packet: (pts, size) => packets.push([pts, size]) });
  for (const chunk of chunks) parser.push(chunk);
  expect(parser.pendingBytes).to.equal(0);
  return { timebases, packets };
}

function splitEvery(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'latin1');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

describe('FramecrcParser', () => {
  it('reads the timebase header and packet lines (ffmpeg 5.1 with side data)', () => {
    const { timebases, packets } = collect([Buffer.from(SAMPLE_5_1)]);
    expect(timebases).to.deep.equal([{ num: 1, den: 30 }]);
    expect(packets).to.deep.equal([
      [0n, 19807],
      [1n, 19999],
    ]);
  });

  it('reads microsecond pts exactly (V4L2-sized numbers, 4.1 trailing fields)', () => {
    const { timebases, packets } = collect([Buffer.from(SAMPLE_4_1_V4L2)]);
    expect(timebases).to.deep.equal([{ num: 1, den: 1_000_000 }]);
    expect(packets).to.deep.equal([
      [1234567890123n, 150000],
      [1234567890456n, 150001],
    ]);
  });

  it('keeps pts beyond 2^53 exact and reads negative pts', () => {
    const text = '#tb 0: 1/1000000\n0, 9007199254740993, 9007199254740993, 1, 10, 0x0\n0, -5, -5, 1, 11, 0x0\n';
    expect(collect([Buffer.from(text)]).packets).to.deep.equal([
      [9007199254740993n, 10],
      [-5n, 11],
    ]);
  });

  for (const size of [1, 2, 3, 7, 64]) {
    it(`gives the same result when the input arrives in ${size}-byte chunks`, () => {
      expect(collect(splitEvery(SAMPLE_5_1 + SAMPLE_4_1_V4L2, size))).to.deep.equal(collect([Buffer.from(SAMPLE_5_1 + SAMPLE_4_1_V4L2)]));
    });
  }

  it('accepts CRLF line ends and ignores other streams', () => {
    const text = '#tb 0: 1/30\r\n#tb 1: 1/48000\r\n0, 3, 3, 1, 100, 0x1\r\n1, 0, 0, 1024, 4096, 0x2\r\n';
    expect(collect([Buffer.from(text)])).to.deep.equal({ timebases: [{ num: 1, den: 30 }], packets: [[3n, 100]] });
  });

  it('throws on a packet line it cannot read', () => {
    const parser = new FramecrcParser({ timebase: () => undefined, packet: () => undefined });
    expect(() => parser.push(Buffer.from('0, abc, 1, 1, 10, 0x0\n'))).to.throw('Unreadable framecrc line');
    expect(() => parser.push(Buffer.from('0, 1, 1, 1\n'))).to.throw('Unreadable framecrc line');
  });

  it('holds an unfinished last line until its newline arrives', () => {
    const packets: number[] = [];
    const parser = new FramecrcParser({ timebase: () => undefined, packet: (_pts, size) => packets.push(size) });
    parser.push(Buffer.from('0, 1, 1, 1, 12'));
    expect(packets).to.deep.equal([]);
    expect(parser.pendingBytes).to.equal(14);
    parser.push(Buffer.from('34, 0xff\n'));
    expect(packets).to.deep.equal([1234]);
    expect(parser.pendingBytes).to.equal(0);
  });
});
