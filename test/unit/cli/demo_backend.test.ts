import { expect } from 'chai';
import { demoBackend } from '../../../src/cli/demo.js';
import { parseDeviceSpec } from '../../../src/camera_core/device_spec.js';

describe('demo: cameras are named by their backend', () => {
  it('calls a replay clip replay, a synthetic pattern synthetic and a device node usb', () => {
    expect(demoBackend(parseDeviceSpec('replay:/clips/a.mkv'))).to.equal('replay');
    expect(demoBackend(parseDeviceSpec('synthetic:640x480@30'))).to.equal('synthetic');
    expect(demoBackend(parseDeviceSpec('/dev/video0'))).to.equal('usb');
  });
});
