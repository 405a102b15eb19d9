import { expect } from 'chai';
import { transition, trialsHeld, type ChannelEvent, type ChannelState } from '../../../src/camera_core/state_machine.js';
import type { CameraSession } from '../../../src/camera_core/camera_session.js';

const camera = { cameraId: 'usb:a' } as unknown as CameraSession;
const camera2 = { cameraId: 'usb:a (reopened)' } as unknown as CameraSession;
type Trial = { name: string };
const t1: Trial = { name: 't1' };
const t2: Trial = { name: 't2' };

const run = (events: ChannelEvent<Trial>[], from: ChannelState<Trial> = { kind: 'idle' }): ChannelState<Trial> =>
  events.reduce((state, event) => transition(state, event), from);

describe('camera channel state machine', () => {
  it('goes idle → capturing → recording → paused → recording (resume) → capturing', () => {
    let state = run([{ type: 'opened', camera }]);
    expect(state).to.deep.equal({ kind: 'capturing', camera });
    state = run([{ type: 'trial_started', trial: t1 }], state);
    expect(state).to.deep.equal({ kind: 'recording', camera, trial: t1 });
    state = run([{ type: 'trial_ended', resumable: true }], state);
    expect(state).to.deep.equal({ kind: 'paused', camera, trial: t1 });
    state = run([{ type: 'trial_started', trial: t1 }, { type: 'trial_ended', resumable: false }], state);
    expect(state).to.deep.equal({ kind: 'capturing', camera });
  });

  it('keeps the interrupted trial through a camera loss and continues it when the camera returns', () => {
    const lost = run([{ type: 'opened', camera }, { type: 'trial_started', trial: t1 }, { type: 'lost' }]);
    expect(lost).to.deep.equal({ kind: 'reconnecting', lost: camera, interrupted: t1, paused: null });
    expect(transition(lost, { type: 'returned', camera: camera2, continued: true })).to.deep.equal({ kind: 'recording', camera: camera2, trial: t1 });
    expect(transition(lost, { type: 'returned', camera: camera2, continued: false })).to.deep.equal({ kind: 'capturing', camera: camera2 });
  });

  it('lets pause end an interrupted trial during the outage, which is then resumable after the return', () => {
    const state = run([{ type: 'opened', camera }, { type: 'trial_started', trial: t1 }, { type: 'lost' }, { type: 'trial_ended', resumable: true }]);
    expect(state).to.deep.equal({ kind: 'reconnecting', lost: camera, interrupted: null, paused: t1 });
    expect(transition(state, { type: 'returned', camera: camera2, continued: false })).to.deep.equal({ kind: 'paused', camera: camera2, trial: t1 });
  });

  it('replaces a paused trial by a new one, and releases everything on release', () => {
    const state = run([{ type: 'opened', camera }, { type: 'trial_started', trial: t1 }, { type: 'trial_ended', resumable: true }, { type: 'trial_started', trial: t2 }]);
    expect(trialsHeld(state)).to.deep.equal([t2]);
    expect(transition(state, { type: 'released' })).to.deep.equal({ kind: 'idle' });
  });

  it('refuses transitions that cannot happen, as an internal error', () => {
    expect(() => transition<Trial>({ kind: 'idle' }, { type: 'trial_started', trial: t1 })).to.throw(/trial_started is not possible while idle/);
    expect(() => run([{ type: 'opened', camera }, { type: 'opened', camera }])).to.throw(/opened is not possible while capturing/);
    expect(() => run([{ type: 'opened', camera }, { type: 'returned', camera, continued: false }])).to.throw(/returned/);
  });
});
