import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { FrameHub } from '../../../src/camera_core/frame_hub.js';
import { resolveConfig } from '../../../src/config/resolve.js';
import { ClipApi, segmentSettings } from '../../../src/http/clip_api.js';
import { Recorder } from '../../../src/client/recorder.js';

function fakeFrame(index: number) {
  const sensor = 1_000_000_000n + BigInt(index) * 33_333_334n;
  const data = Buffer.alloc(500, index % 200);
  data[0] = 0xff; data[1] = 0xd8;
  return { captureIndex: index, data, sensorTimestampNs: sensor, arrival: { monoNs: sensor, unixNs: BigInt(Date.now()) * 1_000_000n }, droppedBefore: 0 };
}

describe('ClipApi (the entry point the module wires in)', function () {
  this.timeout(20_000);
  let base: string;
  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'clip-api-unit-'));
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('derives the folders from storage.base_path and the stable id', () => {
    const config = resolveConfig({ storage: { base_path: '/data' } });
    expect(segmentSettings(config, 'usb-1.2:cam')).to.deep.include({ dir: '/data/segments/usb-1.2_cam', clipsDir: '/data/clips/usb-1.2_cam', segmentSeconds: 10, retainMinutes: 30, clipQueueMax: 16 });
    expect(segmentSettings(resolveConfig({ segments: { dir: '/x', clips_dir: '/y' } }), 'c')).to.deep.include({ dir: '/x', clipsDir: '/y' });
  });

  it('subscribes the ring to the hub, serves the API on a free loopback port and stops cleanly', async () => {
    const config = resolveConfig({ storage: { base_path: base }, segments: { enabled: true, segment_seconds: 1 }, http: { enabled: true } });
    const hub = new FrameHub();
    const api = await ClipApi.start({ config, stableId: 'cam1', mode: { width: 64, height: 48, fps: 30 }, source: hub, camera: () => ({ id: 'cam1' }) });
    try {
      expect(api.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (let i = 0; i < 70; i += 1) {
        hub.publish(fakeFrame(i));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const deadline = Date.now() + 5000;
      while (!(hub.stats()[0]!.delivered === 70 && hub.stats()[0]!.queuedFrames === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(hub.stats()[0]).to.include({ delivered: 70, dropped: 0 });
      await api.ring.forceRotate();
      const recorder = new Recorder({ producerBaseUrl: api.url!, pollIntervalMs: 20 });
      const health = await recorder.health();
      expect(health['camera']).to.deep.equal({ id: 'cam1' });
      expect((health['segments'] as Record<string, unknown>)['count']).to.equal(3);
      const clip = await recorder.requestClip({ startPtsNs: fakeFrame(25).sensorTimestampNs, stopPtsNs: fakeFrame(35).sensorTimestampNs });
      expect((clip.raw['clip'] as Record<string, unknown>)['frames']).to.equal(11);
      expect(clip.path!.startsWith(path.join(base, 'clips', 'cam1'))).to.equal(true);
    } finally {
      await api.stop();
    }
    expect(api.ring.state).to.equal('stopped');
  });

  it('refuses to start the server on a non-loopback host without a token', async () => {
    const config = resolveConfig({ storage: { base_path: base }, http: { enabled: true, host: '0.0.0.0' } });
    let error: unknown = null;
    await ClipApi.start({ config, stableId: 'cam2', mode: { width: 64, height: 48, fps: 30 } }).catch((err: unknown) => (error = err));
    expect((error as Error).message).to.match(/not loopback: set http.token/);
  });
});
