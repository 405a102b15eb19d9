import { expect } from 'chai';
import sinon from 'sinon';
import { ModuleError } from '../../../src/errors/codes.js';
import { MatroskaWriter } from '../../../src/storage/mkv/matroska_writer.js';
import { MkvId } from '../../../src/storage/mkv/matroska_ids.js';
import { MemoryFile } from '../../helpers/memory_file.js';
import { children, readElement } from '../../helpers/ebml_reader.js';
import type { CapturedFrame } from '../../../src/camera_core/types.js';

function frames(count: number, size = 1000): CapturedFrame[] {
  return Array.from({ length: count }, (_, i) => ({
    captureIndex: i,
    data: Buffer.alloc(size, i & 0xff),
    sensorTimestampNs: 1_000_000_000n + BigInt(i) * 33_333_333n,
    arrival: { monoNs: BigInt(i), unixNs: BigInt(i) },
    droppedBefore: 0,
  }));
}

async function openOn(file: MemoryFile, queueMaxFrames = 30, coalesceMs = 0): Promise<MatroskaWriter> {
  return MatroskaWriter.open({ path: '/mem/a.mkv', width: 64, height: 48, fps: 30, queueMaxFrames, openFile: async () => file, coalesceMs });
}

/** SimpleBlocks in a file whose Segment and Clusters may still have unknown sizes. */
function countBlocks(data: Buffer): number {
  const ebml = readElement(data, 0);
  let offset = readElement(data, ebml.dataStart + ebml.size!).dataStart;
  let blocks = 0;
  while (offset < data.length) {
    const element = readElement(data, offset);
    if (element.id === MkvId.Cluster) {
      offset = element.dataStart;
      continue;
    }
    if (element.id === MkvId.SimpleBlock) {
      if (element.dataStart + element.size! > data.length) break;
      blocks += 1;
    }
    if (element.size === null) break;
    offset = element.dataStart + element.size;
  }
  return blocks;
}

describe('MatroskaWriter (in-memory file)', () => {
  it('writes one writev per frame and reports each frame committed', async () => {
    const file = new MemoryFile();
    const writer = await openOn(file);
    const committed: number[] = [];
    writer.on('committed', (count) => committed.push(count));
    for (const frame of frames(5)) {
      writer.write(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const summary = await writer.close();
    expect(file.writevCalls).to.equal(5);
    expect(committed).to.deep.equal([1, 2, 3, 4, 5]);
    expect(summary).to.include({ frames: 5, framesDropped: 0, bytes: file.data.length });
    expect(file.closed).to.equal(true);
  });

  it('by default writes the frames of 100 ms together', async () => {
    const file = new MemoryFile();
    const writer = await MatroskaWriter.open({ path: '/mem/a.mkv', width: 64, height: 48, fps: 30, queueMaxFrames: 30, openFile: async () => file });
    const committed: number[] = [];
    writer.on('committed', (count) => committed.push(count));
    const input = frames(5);
    for (const frame of input.slice(0, 3)) writer.write(frame);
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (const frame of input.slice(3)) writer.write(frame);
    await writer.close();
    expect(file.writevCalls).to.equal(2);
    expect(committed).to.deep.equal([3, 5]);
  });

  it('close() writes waiting frames at once instead of sitting out the coalescing interval', async () => {
    const file = new MemoryFile();
    const writer = await openOn(file, 30, 3_600_000);
    for (const frame of frames(2)) writer.write(frame);
    expect((await writer.close()).frames).to.equal(2);
    expect(file.writevCalls).to.equal(1);
  });

  it('drops and counts frames beyond the queue limit without blocking, then catches up', async () => {
    const file = new MemoryFile();
    const writer = await openOn(file, 4);
    file.hold();
    const results = frames(10).map((frame) => writer.write(frame));
    expect(results.slice(0, 4)).to.deep.equal([0, 33, 67, 100]);
    expect(results.slice(4)).to.deep.equal([null, null, null, null, null, null]);
    expect(writer.queueDepth).to.equal(4);
    file.release();
    const summary = await writer.close();
    expect(summary).to.include({ frames: 4, framesDropped: 6 });
    expect(countBlocks(file.data)).to.equal(4);
  });

  it('continues after short writes', async () => {
    const file = new MemoryFile();
    file.maxWriteBytes = 333;
    const writer = await openOn(file);
    for (const frame of frames(6)) writer.write(frame);
    const summary = await writer.close();
    expect(summary.frames).to.equal(6);
    const segment = readElement(file.data, readElement(file.data, 0).dataStart + readElement(file.data, 0).size!);
    const level1 = children(file.data, segment.dataStart, file.data.length);
    expect(level1.map((e) => e.id)).to.include(MkvId.Cues);
  });

  it('turns ENOSPC into ENCODER_FAILED saying the disk is full, keeping only whole frames', async () => {
    const file = new MemoryFile();
    const writer = await openOn(file);
    file.capacity = file.data.length + 3500;
    const errors: ModuleError[] = [];
    const committed: number[] = [];
    writer.on('error', (error) => errors.push(error));
    writer.on('committed', (count) => committed.push(count));
    for (const frame of frames(10)) {
      writer.write(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const summary = await writer.close();
    expect(errors).to.have.length(1);
    expect(errors[0]).to.be.instanceOf(ModuleError);
    expect(errors[0]!.kind).to.equal('ENCODER_FAILED');
    expect(errors[0]!.message).to.match(/disk full/i);
    expect(summary.frames).to.equal(committed.at(-1));
    expect(summary.frames).to.equal(3);
    expect(file.data.length).to.equal(summary.bytes);
    expect(countBlocks(file.data)).to.equal(3);
    expect(writer.write(frames(11)[10]!)).to.equal(null);
  });

  it('pushes written frames to the device about once a second, not per frame', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['performance'] });
    try {
      const file = new MemoryFile();
      const writer = await openOn(file);
      const input = frames(40);
      for (const [i, frame] of input.entries()) {
        writer.write(frame);
        await new Promise((resolve) => setImmediate(resolve));
        clock.tick(i % 10 === 9 ? 1100 : 1);
      }
      expect(file.syncCalls).to.equal(3);
      await writer.close();
    } finally {
      clock.restore();
    }
  });

  it('stops taking frames when the device fails a sync, keeping what was written', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['performance'] });
    try {
      const file = new MemoryFile();
      file.datasync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      const writer = await openOn(file);
      const errors: ModuleError[] = [];
      writer.on('error', (error) => errors.push(error));
      clock.tick(1500);
      writer.write(frames(1)[0]!);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(errors).to.have.length(1);
      expect(errors[0]!.message).to.contain('EIO');
      expect(writer.write(frames(2)[1]!)).to.equal(null);
      expect((await writer.close()).frames).to.equal(1);
    } finally {
      clock.restore();
    }
  });

  it('reports a header that cannot be written as ENCODER_FAILED from open()', async () => {
    const file = new MemoryFile();
    file.capacity = 0;
    let error: unknown = null;
    await openOn(file).catch((err: unknown) => { error = err; });
    expect(error).to.be.instanceOf(ModuleError);
    expect((error as ModuleError).message).to.match(/disk full/i);
  });
});
