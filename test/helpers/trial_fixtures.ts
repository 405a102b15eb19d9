import type { CaptureMode } from '../../src/camera_core/types.js';
import type { Clock, ClockSample } from '../../src/time/clock.js';
import type { TrialContext, TrialRecorderStartOptions } from '../../src/storage/types.js';

export const QVGA: CaptureMode = { width: 320, height: 240, fps: 30, pixel_format: 'mjpeg' };

/** A clock that returns whatever the test last set. */
export class ManualClock implements Clock {
  now: ClockSample = { monoNs: 1_000_000_000n, unixNs: 1_700_000_000_000_000_000n };

  sample(): ClockSample {
    return this.now;
  }
}

export function trialContext(overrides: Partial<TrialContext> = {}): TrialContext {
  return {
    cameraId: 'synthetic:test-cam',
    backend: 'synthetic',
    stableId: 'test-cam',
    name: 'Test Cam',
    devicePath: 'synthetic://320x240@30',
    sessionId: 'session-1',
    trialNumber: 1,
    trialLabel: 'baseline',
    captureMode: QVGA,
    recordMode: QVGA,
    ffmpegVersion: '5.1',
    ...overrides,
  };
}

export const passthroughWriterOptions: TrialRecorderStartOptions['writer'] = {
  codec: 'mjpeg', jpegQuality: 85, h264Crf: 23, forceReencode: false, queueMaxFrames: 60,
};
