import { expect } from 'chai';
import { FrameHub, type HubDelivery } from '../../../src/camera_core/frame_hub.js';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import { FakeCaptureSource } from '../../helpers/fakes.js';

const MODE = { width: 640, height: 480, fps: 30, pixel_format: 'mjpeg' };
const INTERVAL_NS = 33_333_333n;

function frame(index: number, bytes = 5): CapturedFrame {
  const at = BigInt(index) * INTERVAL_NS;
  return {
    captureIndex: index, data: Buffer.alloc(bytes, index & 0xff), sensorTimestampNs: 1_000_000_000n + at,
    arrival: { monoNs: 2_000_000_000n + at, unixNs: 1_700_000_000_000_000_000n + at }, droppedBefore: 0,
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A sink that keeps every frame waiting until release() is called, like a stuck consumer. */
function stuckSink(): { sink: (f: CapturedFrame, d: HubDelivery) => Promise<void>; got: Array<[number, number]>; release: () => void } {
  const got: Array<[number, number]> = [];
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => { open = resolve; });
  return {
    got,
    sink: async (f, d) => {
      got.push([f.captureIndex, d.droppedBefore]);
      await gate;
    },
    release: () => {
      open();
      gate = Promise.resolve();
    },
  };
}

describe('FrameHub', () => {
  it('hands the same frame object to every subscriber, in order, synchronously when they keep up', () => {
    const hub = new FrameHub();
    const a: CapturedFrame[] = [];
    const b: CapturedFrame[] = [];
    hub.subscribe('a', (f) => { a.push(f); });
    hub.subscribe('b', (f) => { b.push(f); });
    const frames = [frame(0), frame(1), frame(2)];
    for (const f of frames) hub.publish(f);
    expect(a).to.deep.equal(frames);
    expect(a[1]).to.equal(b[1]);
    expect(a[1]).to.equal(frames[1]);
    expect(hub.latest).to.equal(frames[2]);
  });

  it('gives a stuck subscriber a bounded queue and counts its drops, while the others get every frame at once', async () => {
    const hub = new FrameHub();
    const stuck = stuckSink();
    const fast: number[] = [];
    hub.subscribe('stuck', stuck.sink, { maxQueueFrames: 3 });
    hub.subscribe('fast', (f) => { fast.push(f.captureIndex); });
    for (let i = 0; i < 10; i += 1) hub.publish(frame(i));
    expect(fast).to.have.length(10);
    expect(stuck.got).to.deep.equal([[0, 0]]);
    const stats = hub.stats().find((s) => s.name === 'stuck');
    expect(stats).to.include({ delivered: 1, dropped: 6, queuedFrames: 3 });
    stuck.release();
    await tick();
    // Frames 1..3 waited; 4..9 were lost, and the next delivered frame says so.
    expect(stuck.got.map(([index]) => index)).to.deep.equal([0, 1, 2, 3]);
    hub.publish(frame(10));
    await tick();
    expect(stuck.got.at(-1)).to.deep.equal([10, 6]);
    expect(hub.droppedFrames().get('stuck')).to.equal(6);
    expect(hub.droppedFrames().get('fast')).to.equal(undefined);
  });

  it('bounds the queue by bytes as well as frames', () => {
    const hub = new FrameHub();
    const stuck = stuckSink();
    hub.subscribe('stuck', stuck.sink, { maxQueueFrames: 100, maxQueueBytes: 250 });
    for (let i = 0; i < 5; i += 1) hub.publish(frame(i, 100));
    expect(hub.stats()[0]).to.include({ queuedFrames: 2, queuedBytes: 200, dropped: 2 });
  });

  it('keeps the freshest frames for drop_oldest subscribers (a preview)', async () => {
    const hub = new FrameHub();
    const stuck = stuckSink();
    hub.subscribe('preview', stuck.sink, { maxQueueFrames: 2, overflow: 'drop_oldest' });
    for (let i = 0; i < 6; i += 1) hub.publish(frame(i));
    stuck.release();
    await tick();
    expect(stuck.got.map(([index]) => index)).to.deep.equal([0, 4, 5]);
  });

  it('rate-limits by every Nth frame and by frames per second, counting those as skipped, not lost', () => {
    const hub = new FrameHub();
    const nth: number[] = [];
    const fps: number[] = [];
    hub.subscribe('nth', (f) => { nth.push(f.captureIndex); }, { everyNth: 3 });
    hub.subscribe('fps', (f) => { fps.push(f.captureIndex); }, { maxFps: 10 });
    for (let i = 0; i < 30; i += 1) hub.publish(frame(i));
    expect(nth).to.deep.equal([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(fps).to.deep.equal([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    const stats = hub.stats();
    expect(stats.map((s) => [s.name, s.skipped, s.dropped])).to.deep.equal([['nth', 20, 0], ['fps', 20, 0]]);
  });

  it('isolates a throwing or rejecting sink and keeps delivering to it and the others', async () => {
    const hub = new FrameHub();
    const errors: string[] = [];
    hub.on('sink_error', (name) => errors.push(name));
    const good: number[] = [];
    let calls = 0;
    hub.subscribe('throws', () => { calls += 1; throw new Error('boom'); });
    hub.subscribe('rejects', async () => { throw new Error('later'); });
    hub.subscribe('good', (f) => { good.push(f.captureIndex); });
    hub.publish(frame(0));
    hub.publish(frame(1));
    await tick();
    expect(good).to.deep.equal([0, 1]);
    expect(calls).to.equal(2);
    expect(errors.filter((e) => e === 'throws')).to.have.length(2);
    expect(errors.filter((e) => e === 'rejects')).to.have.length(2);
  });

  it('stops delivering at unsubscribe, also frames already queued', async () => {
    const hub = new FrameHub();
    const stuck = stuckSink();
    const unsubscribe = hub.subscribe('stuck', stuck.sink);
    hub.publish(frame(0));
    hub.publish(frame(1));
    unsubscribe();
    stuck.release();
    await tick();
    hub.publish(frame(2));
    expect(stuck.got.map(([index]) => index)).to.deep.equal([0]);
    expect(hub.stats()).to.deep.equal([]);
  });

  it('is fed by whichever capture is attached; a detached capture feeds it no more', () => {
    const hub = new FrameHub();
    const seen: number[] = [];
    hub.subscribe('tap', (f) => { seen.push(f.captureIndex); });
    const first = new FakeCaptureSource({ kind: 'synthetic', width: 640, height: 480, fps: 30 }, MODE, null);
    const detach = hub.attach(first);
    first.emitFrame();
    detach();
    first.emitFrame();
    const second = new FakeCaptureSource({ kind: 'synthetic', width: 640, height: 480, fps: 30 }, MODE, null);
    hub.attach(second);
    second.emitFrame();
    expect(seen).to.deep.equal([0, 0]);
    expect(hub.published).to.equal(2);
  });
});
