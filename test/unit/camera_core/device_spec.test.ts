import { expect } from 'chai';
import { formatDeviceSpec, parseDeviceSpec } from '../../../src/camera_core/device_spec.js';
import { ModuleError } from '../../../src/errors/codes.js';

function invalid(devicePath: string): ModuleError {
  try {
    parseDeviceSpec(devicePath);
  } catch (err) {
    if (err instanceof ModuleError) return err;
    throw err;
  }
  throw new Error(`"${devicePath}" was accepted`);
}

describe('parseDeviceSpec', () => {
  it('reads V4L2 nodes and any other plain path as v4l2', () => {
    expect(parseDeviceSpec('/dev/video0')).to.deep.equal({ kind: 'v4l2', path: '/dev/video0' });
    expect(parseDeviceSpec('/dev/v4l/by-id/usb-046d_C920-video-index0')).to.deep.equal({
      kind: 'v4l2',
      path: '/dev/v4l/by-id/usb-046d_C920-video-index0',
    });
  });

  it('reads synthetic sources with defaults for what is left out', () => {
    expect(parseDeviceSpec('synthetic:')).to.deep.equal({ kind: 'synthetic', width: 1280, height: 720, fps: 30 });
    expect(parseDeviceSpec('synthetic:640x480')).to.deep.equal({ kind: 'synthetic', width: 640, height: 480, fps: 30 });
    expect(parseDeviceSpec('synthetic:1920x1080@60')).to.deep.equal({ kind: 'synthetic', width: 1920, height: 1080, fps: 60 });
    expect(parseDeviceSpec('synthetic:320x240@29.97')).to.deep.equal({ kind: 'synthetic', width: 320, height: 240, fps: 29.97 });
    expect(parseDeviceSpec('synthetic:16x16@240')).to.include({ width: 16, height: 16, fps: 240 });
    expect(parseDeviceSpec('synthetic:7680x4320@1')).to.include({ width: 7680, height: 4320 });
  });

  it('reads replay, avfoundation and dshow sources', () => {
    expect(parseDeviceSpec('replay:/data/clip.mkv')).to.deep.equal({ kind: 'replay', path: '/data/clip.mkv' });
    expect(parseDeviceSpec('replay:clips/a b.mkv')).to.deep.equal({ kind: 'replay', path: 'clips/a b.mkv' });
    expect(parseDeviceSpec('avfoundation:FaceTime HD Camera')).to.deep.equal({ kind: 'avfoundation', name: 'FaceTime HD Camera' });
    expect(parseDeviceSpec('dshow:USB Camera')).to.deep.equal({ kind: 'dshow', name: 'USB Camera' });
  });

  for (const bad of ['synthetic:15x480', 'synthetic:7681x480', 'synthetic:640x4321', 'synthetic:640x480@0', 'synthetic:640x480@241', 'synthetic:640x480@-1', 'synthetic:640', 'synthetic:axb', 'synthetic:640x480@', 'synthetic: 640x480']) {
    it(`rejects "${bad}" as INVALID_PARAMS on device_path`, () => {
      const error = invalid(bad);
      expect(error.kind).to.equal('INVALID_PARAMS');
      expect(error.field).to.equal('device_path');
    });
  }

  for (const bad of ['', '   ', 'replay:', 'avfoundation:', 'dshow: ']) {
    it(`rejects the empty name in "${bad}"`, () => {
      expect(invalid(bad).kind).to.equal('INVALID_PARAMS');
    });
  }

  it('names the problem in the message', () => {
    expect(invalid('synthetic:640x480@500').message).to.include('fps 500');
    expect(invalid('synthetic:8x480').message).to.include('width 8');
  });

  it('formats back to a path that parses to the same spec', () => {
    for (const devicePath of ['/dev/video2', 'synthetic:640x480@30', 'replay:/x.mkv', 'avfoundation:Cam', 'dshow:Cam']) {
      const spec = parseDeviceSpec(devicePath);
      expect(parseDeviceSpec(formatDeviceSpec(spec))).to.deep.equal(spec);
    }
  });
});
