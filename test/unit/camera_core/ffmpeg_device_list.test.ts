import { expect } from 'chai';
import { parseAvfoundationDevices, parseDshowDevices, pnpInstance, vidPidFromPnpPath } from '../../../src/camera_core/discovery/ffmpeg_device_list.js';
import { cameraFixture } from '../../helpers/camera_fixtures.js';

describe('ffmpeg device listings (macOS, Windows)', () => {
  it('lists AVFoundation cameras without screens or audio devices', () => {
    const devices = parseAvfoundationDevices(cameraFixture('ffmpeg_device_lists/avfoundation-macos13-ffmpeg5.1.txt'));
    expect(devices.map((d) => [d.index, d.name])).to.deep.equal([[0, 'FaceTime HD Camera'], [1, 'HD Pro Webcam C920'], [2, 'Jane’s iPhone Camera']]);
  });

  it('lists DirectShow cameras in the ffmpeg ≥ 5.0 and ≤ 4.4 layouts alike, with their PnP paths', () => {
    const v5 = parseDshowDevices(cameraFixture('ffmpeg_device_lists/dshow-windows10-ffmpeg5.1.txt'));
    const v4 = parseDshowDevices(cameraFixture('ffmpeg_device_lists/dshow-windows10-ffmpeg4.4.txt'));
    expect(v5.map((d) => d.name)).to.deep.equal(['Integrated Camera', 'HD Pro Webcam C920']);
    expect(v4).to.deep.equal(v5);
    const c920 = v5[1]!.alternativeName!;
    expect(vidPidFromPnpPath(c920)).to.equal('046d:082d');
    expect(pnpInstance(c920)).to.equal('usb#vid_046d&pid_082d&mi_00#7&2d2a35b5&0&0000');
  });
});
