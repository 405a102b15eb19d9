import { expect } from 'chai';
import { selectModes } from '../../../src/camera_core/select_modes.js';
import { modesFromFormats } from '../../../src/camera_core/v4l2/modes_from_formats.js';
import { parseListFormatsExt } from '../../../src/camera_core/v4l2/list_formats_parser.js';
import type { CameraCapabilities, CaptureMode } from '../../../src/camera_core/types.js';
import { resolveConfig } from '../../../src/config/resolve.js';
import { cameraFixture } from '../../helpers/camera_fixtures.js';

const caps = (fixture: string): CameraCapabilities => ({ modes: modesFromFormats(parseListFormatsExt(cameraFixture(fixture))), controls: [] });
const c920 = caps('logitech_c920/video0.formats.txt');
const c920h264 = caps('logitech_c920_h264_rpi/video0.formats.txt');
const lifecam = caps('microsoft_lifecam_vx800/video2.formats.txt');
const realsenseColour = caps('intel_realsense_d435/video8.formats.txt');
const select = (c: CameraCapabilities, config: Record<string, unknown> = {}) => selectModes(c, resolveConfig(config));
const mode = (width: number, height: number, fps: number, pixel_format: string): CaptureMode => ({ width, height, fps, pixel_format });

describe('mode selection', () => {
  it('records the largest MJPEG mode at its highest rate by default, stored as captured', () => {
    const s = select(c920);
    expect(s.captureMode).to.deep.equal(mode(1920, 1080, 30, 'mjpeg'));
    expect(s.recordMode).to.deep.equal(mode(1920, 1080, 30, 'mjpeg'));
    expect(s.passthrough).to.equal(true);
    expect(s.reason).to.equal('largest MJPEG mode of the camera');
  });

  it('prefers MJPEG over a larger raw mode and over H.264 of the same size', () => {
    // The C920 offers YUYV up to 2304x1536 (2 fps) and H.264 at every MJPEG size.
    expect(select(c920h264).captureMode).to.deep.equal(mode(1920, 1080, 30, 'mjpeg'));
  });

  it('records the configured size and rate when offered', () => {
    const s = select(c920, { record: { width: 1280, height: 720, fps: 15 } });
    expect(s.captureMode).to.deep.equal(mode(1280, 720, 15, 'mjpeg'));
    expect(s.reason).to.equal('configured 1280x720@15 offered as MJPEG');
    expect(s.passthrough).to.equal(true);
  });

  it('takes the nearest rate at the configured size when the rate is not offered', () => {
    const s = select(c920, { record: { width: 1280, height: 720, fps: 12 } });
    expect(s.captureMode).to.deep.equal(mode(1280, 720, 10, 'mjpeg'));
    expect(s.reason).to.equal('configured 1280x720 offered as MJPEG; 12 fps not offered, using 10');
  });

  it('takes the nearest MJPEG size when the configured size is not offered, and scales it', () => {
    const s = select(c920, { record: { width: 1280, height: 800, fps: 30 } });
    expect(s.captureMode).to.deep.equal(mode(1280, 720, 30, 'mjpeg'));
    expect(s.recordMode).to.deep.equal(mode(1280, 800, 30, 'mjpeg'));
    expect(s.passthrough).to.equal(false);
    expect(s.reason).to.equal('configured 1280x800 not offered; nearest MJPEG mode 1280x720 captured and scaled');
  });

  it('takes another format that offers exactly the configured size and rate over a near MJPEG mode', () => {
    const s = select(c920, { record: { width: 2304, height: 1536, fps: 2 } });
    expect(s.captureMode).to.deep.equal(mode(2304, 1536, 2, 'yuyv422'));
    // The capture encodes YUYV to MJPEG; the recording stores those frames without another encode.
    expect(s.passthrough).to.equal(true);
    expect(s.reason).to.equal('configured 2304x1536@2 offered as yuyv422');
  });

  it('uses raw modes of a camera without MJPEG, which the capture encodes; the recording stores them as they come', () => {
    const s = select(lifecam);
    expect(s.captureMode).to.deep.equal(mode(640, 480, 30, 'yuyv422'));
    expect(s.passthrough).to.equal(true);
    expect(select(lifecam, { record: { force_reencode: true } }).passthrough).to.equal(false);
    expect(s.reason).to.equal('largest yuyv422 mode of the camera (the camera has no MJPEG mode)');
    expect(select(lifecam, { record: { fps: 20 } }).captureMode).to.deep.equal(mode(640, 480, 15, 'yuyv422'));
  });

  it('previews within 640x480 at the highest rate, then the largest size, in the capture\'s format', () => {
    expect(select(c920).previewMode).to.deep.equal(mode(640, 480, 30, 'mjpeg'));
    // The RealSense colour sensor runs 60 fps only at 960x540 and below.
    expect(select(realsenseColour).previewMode).to.deep.equal(mode(640, 480, 60, 'yuyv422'));
    expect(select(realsenseColour, { preview: { width: 320, height: 240 } }).previewMode).to.deep.equal(mode(320, 240, 60, 'yuyv422'));
  });

  it('opens an unprobed camera with the configured mode', () => {
    const s = select({ modes: [], controls: [] }, { record: { width: 800, height: 600, fps: 20 } });
    expect(s.captureMode).to.deep.equal(mode(800, 600, 20, 'mjpeg'));
    expect(s.previewMode).to.deep.equal(mode(640, 480, 15, 'mjpeg'));
    expect(s.reason).to.equal('camera modes unknown (not probed); opened with the configured mode');
  });
});
