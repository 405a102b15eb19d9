import { expect } from 'chai';
import { FrameWatchdog } from '../../../src/camera_core/frame_watchdog.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('frame watchdog', () => {
  it('is quiet before the first frame and while frames keep coming, then reports the stall once', async () => {
    const stalls: string[] = [];
    const watchdog = new FrameWatchdog(40, 1000, (reason) => stalls.push(reason));
    await sleep(80);
    expect(stalls).to.deep.equal([]);
    for (let i = 0; i < 8; i += 1) {
      watchdog.frame();
      await sleep(10);
    }
    expect(stalls).to.deep.equal([]);
    await sleep(120);
    expect(stalls).to.deep.equal(['no frame for 40 ms']);
    watchdog.frame();
    await sleep(80);
    expect(stalls).to.have.length(1);
  });

  it('waits at least three frame intervals for slow cameras, and never after stop()', async () => {
    expect(new FrameWatchdog(1000, 1, () => undefined).timeoutMs).to.equal(3000);
    expect(new FrameWatchdog(1000, 30, () => undefined).timeoutMs).to.equal(1000);
    expect(new FrameWatchdog(0, 30, () => undefined).timeoutMs).to.equal(0);
    let stalled = false;
    const watchdog = new FrameWatchdog(20, 1000, () => { stalled = true; });
    watchdog.frame();
    watchdog.stop();
    await sleep(60);
    expect(stalled).to.equal(false);
  });
});
