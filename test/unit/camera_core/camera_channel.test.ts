import { expect } from 'chai';
import { CameraChannel } from '../../../src/camera_core/camera_channel.js';
import type { CameraSession } from '../../../src/camera_core/camera_session.js';
import { ModuleError } from '../../../src/errors/codes.js';
import { FakeCaptureSource } from '../../helpers/fakes.js';

const MODE = { width: 640, height: 480, fps: 30, pixel_format: 'mjpeg' };
const session = (): CameraSession => ({
  cameraId: 'synthetic:a', capture: new FakeCaptureSource({ kind: 'synthetic', width: 640, height: 480, fps: 30 }, MODE, null),
}) as unknown as CameraSession;
const capture = (camera: CameraSession): FakeCaptureSource => camera.capture as FakeCaptureSource;

describe('CameraChannel', () => {
  it('feeds the hub from the open camera, keeps subscribers across a loss and return, and stops feeding at release', () => {
    const ended: string[] = [];
    const channel = new CameraChannel<{ id: number }>({
      captureEnded: (camera) => ended.push(camera.cameraId), captureError: () => undefined, trialReleased: () => undefined,
    });
    const seen: number[] = [];
    channel.hub.subscribe('tap', (f) => { seen.push(f.captureIndex); });
    const first = session();
    channel.apply({ type: 'opened', camera: first });
    capture(first).emitFrame();
    capture(first).die();
    expect(ended).to.deep.equal(['synthetic:a']);
    channel.apply({ type: 'lost' });
    capture(first).emitFrame();
    const second = session();
    channel.apply({ type: 'returned', camera: second, continued: false });
    capture(second).emitFrame();
    capture(second).emitFrame();
    channel.apply({ type: 'released' });
    capture(second).emitFrame();
    capture(second).die();
    expect(seen).to.deep.equal([0, 0, 1]);
    expect(ended).to.have.length(1);
  });

  it('answers which trial is current in every state, and releases a trial exactly when it leaves the state', () => {
    const released: number[] = [];
    const channel = new CameraChannel<{ id: number }>({
      captureEnded: () => undefined, captureError: () => undefined, trialReleased: (trial) => released.push(trial.id),
    });
    const t1 = { id: 1 };
    const t2 = { id: 2 };
    channel.apply({ type: 'opened', camera: session() });
    channel.apply({ type: 'trial_started', trial: t1 });
    expect([channel.trial, channel.writingTrial, channel.pausedTrial]).to.deep.equal([t1, t1, null]);
    channel.apply({ type: 'lost' });
    expect([channel.trial, channel.writingTrial, channel.camera]).to.deep.equal([t1, null, null]);
    channel.apply({ type: 'trial_ended', resumable: true });
    expect([channel.trial, channel.pausedTrial]).to.deep.equal([null, t1]);
    expect(released).to.deep.equal([]);
    channel.apply({ type: 'returned', camera: session(), continued: false });
    channel.apply({ type: 'trial_started', trial: t2 });
    expect(released).to.deep.equal([1]);
    channel.apply({ type: 'released' });
    expect(released).to.deep.equal([1, 2]);
  });

  it('passes capture errors on (they used to be emitted with no listener)', () => {
    const errors: string[] = [];
    const channel = new CameraChannel<never>({
      captureEnded: () => undefined, captureError: (_camera, error) => errors.push(error.message), trialReleased: () => undefined,
    });
    const camera = session();
    channel.apply({ type: 'opened', camera });
    capture(camera).emit('error', new ModuleError('DEVICE_FAILED', 'pipe broke'));
    expect(errors).to.deep.equal(['pipe broke']);
  });
});
