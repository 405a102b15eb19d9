import { expect } from 'chai';
import { FrameAssembler } from '../../../src/camera_core/frame_assembler.js';

/** Deterministic pseudo-random numbers so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function makeFrames(count: number, next: () => number): Buffer[] {
  return Array.from({ length: count }, (_, index) => {
    const frame = Buffer.alloc(1 + Math.floor(next() * 5000));
    for (let at = 0; at < frame.length; at += 1) frame[at] = (index * 31 + at) & 0xff;
    return frame;
  });
}

function splitAt(bytes: Buffer, sizes: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = Math.max(1, sizes());
    // Copies, like separate socket reads: nothing may depend on chunks sharing memory.
    chunks.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return chunks;
}

interface Delivery {
  readonly frames: Buffer[];
  readonly chunks: Buffer[];
  /** Order of arrival: true = next packet line, false = next byte chunk. */
  readonly order: boolean[];
}

function assemble({ frames, chunks, order }: Delivery): { pts: bigint[]; data: Buffer[]; assembler: FrameAssembler } {
  const pts: bigint[] = [];
  const data: Buffer[] = [];
  const assembler = new FrameAssembler((framePts, frame) => {
    pts.push(framePts);
    data.push(Buffer.from(frame));
  });
  let packet = 0;
  let chunk = 0;
  for (const isPacket of order) {
    if (isPacket) {
      const frame = frames[packet] as Buffer;
      assembler.addPacket(BigInt(packet * 1000), frame.length);
      packet += 1;
    } else {
      assembler.addBytes(chunks[chunk] as Buffer);
      chunk += 1;
    }
  }
  return { pts, data, assembler };
}

function interleave(packets: number, chunks: number, next: () => number): boolean[] {
  const order: boolean[] = [];
  let p = 0;
  let c = 0;
  while (p < packets || c < chunks) {
    const takePacket = c >= chunks || (p < packets && next() < 0.5);
    order.push(takePacket);
    if (takePacket) p += 1;
    else c += 1;
  }
  return order;
}

function expectExact(result: ReturnType<typeof assemble>, frames: Buffer[]): void {
  expect(result.data.length).to.equal(frames.length);
  result.data.forEach((frame, index) => expect(frame.equals(frames[index] as Buffer), `frame ${index}`).to.equal(true));
  expect(result.pts).to.deep.equal(frames.map((_, index) => BigInt(index * 1000)));
  expect(result.assembler.pendingBytes).to.equal(0);
  expect(result.assembler.pendingPackets).to.equal(0);
}

describe('FrameAssembler', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`reassembles frames from random splits, interleaved at random (seed ${seed})`, () => {
      const next = random(seed);
      const frames = makeFrames(40, next);
      const chunks = splitAt(Buffer.concat(frames), () => Math.floor(next() * 12000));
      expectExact(assemble({ frames, chunks, order: interleave(frames.length, chunks.length, next) }), frames);
    });
  }

  it('reassembles from 1-byte chunks', () => {
    const frames = makeFrames(5, random(9));
    const chunks = splitAt(Buffer.concat(frames), () => 1);
    expectExact(assemble({ frames, chunks, order: interleave(frames.length, chunks.length, random(10)) }), frames);
  });

  it('hands out several frames from one chunk, as views into it', () => {
    const frames = [Buffer.from('aaaa'), Buffer.from('bb'), Buffer.from('cccccc')];
    const chunk = Buffer.concat(frames);
    const views: Buffer[] = [];
    const assembler = new FrameAssembler((_pts, data) => views.push(data));
    frames.forEach((frame, index) => assembler.addPacket(BigInt(index), frame.length));
    assembler.addBytes(chunk);
    expect(views.map((view) => view.toString())).to.deep.equal(['aaaa', 'bb', 'cccccc']);
    expect(views.every((view) => view.buffer === chunk.buffer)).to.equal(true);
  });

  it('waits for sizes when bytes come first, and for bytes when sizes come first', () => {
    const got: string[] = [];
    const assembler = new FrameAssembler((_pts, data) => got.push(data.toString()));
    assembler.addBytes(Buffer.from('hello wor'));
    expect(got).to.deep.equal([]);
    assembler.addPacket(0n, 5);
    expect(got).to.deep.equal(['hello']);
    assembler.addPacket(1n, 6);
    expect(got).to.deep.equal(['hello']);
    expect(assembler.pendingPackets).to.equal(1);
    assembler.addBytes(Buffer.from('ld!'));
    expect(got).to.deep.equal(['hello', ' world']);
    expect(assembler.pendingBytes).to.equal(1);
  });

  it('copies a frame that spans chunks exactly once, into a buffer of its size', () => {
    const frames: Buffer[] = [];
    const assembler = new FrameAssembler((_pts, data) => frames.push(data));
    assembler.addPacket(0n, 6);
    assembler.addBytes(Buffer.from('abc'));
    assembler.addBytes(Buffer.from('def'));
    expect(frames[0]?.toString()).to.equal('abcdef');
    expect(frames[0]?.length).to.equal(6);
  });

  it('passes empty packets through', () => {
    const sizes: number[] = [];
    const assembler = new FrameAssembler((_pts, data) => sizes.push(data.length));
    assembler.addPacket(0n, 0);
    assembler.addPacket(1n, 2);
    assembler.addBytes(Buffer.from('xy'));
    expect(sizes).to.deep.equal([0, 2]);
  });

  it('stays correct over many frames (queue compaction)', () => {
    const next = random(77);
    const frames = makeFrames(1000, () => next() * 0.05);
    const chunks = splitAt(Buffer.concat(frames), () => Math.floor(next() * 700));
    expectExact(assemble({ frames, chunks, order: interleave(frames.length, chunks.length, next) }), frames);
  });
});
