import { expect } from 'chai';
import { parseVideoStreamInfo } from '../../../src/camera_core/stream_info.js';
import { SyntheticDeviceProbe } from '../../../src/camera_core/synthetic_probe.js';
import type { CameraIdentity } from '../../../src/camera_core/types.js';
import { ModuleError } from '../../../src/errors/codes.js';
import { rejectionOf } from '../../helpers/rejection.js';
import { launcherFor } from '../../../src/process/run_command.js';
import { FakeSpawner } from '../../helpers/fake_spawner.js';

const MKV_5_1 = `Input #0, matroska,webm, from 'file:/tmp/clip.mkv':
  Metadata:
    ENCODER         : Lavf59.27.100
  Duration: 00:00:01.00, start: 0.000000, bitrate: 2073 kb/s
  Stream #0:0: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 320x240 [SAR 1:1 DAR 4:3], 30 fps, 30 tbr, 1k tbn (default)
    Metadata:
      DURATION        : 00:00:01.000000000
At least one output file must be specified
`;

const identity = (devicePath: string): CameraIdentity => ({
  backend: 'synthetic',
  stableId: devicePath,
  name: 'Test cam',
  devicePath,
  usbPath: null,
});

describe('parseVideoStreamInfo', () => {
  it('reads codec, size and rate from ffmpeg -i output', () => {
    expect(parseVideoStreamInfo(MKV_5_1)).to.deep.equal({ codec: 'mjpeg', width: 320, height: 240, fps: 30 });
  });

  it('reads fractional rates, falls back to tbr, and skips audio streams', () => {
    const text = [
      '  Stream #0:0(und): Audio: aac (LC), 48000 Hz, stereo, fltp',
      '  Stream #0:1[0x1e0](eng): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv), 1920x1080, 29.97 tbr, 90k tbn',
    ].join('\n');
    expect(parseVideoStreamInfo(text)).to.deep.equal({ codec: 'h264', width: 1920, height: 1080, fps: 29.97 });
    expect(parseVideoStreamInfo('clip.mkv: No such file or directory')).to.equal(null);
  });
});

describe('SyntheticDeviceProbe', () => {
  const noFfmpeg = { require: () => ({ path: '/nonexistent/ffmpeg' }) };

  it('gives a synthetic camera exactly the mode its path names, and no controls', async () => {
    const probe = new SyntheticDeviceProbe(noFfmpeg);
    expect(await probe.probe(identity('synthetic:640x480@25'))).to.deep.equal({
      modes: [{ width: 640, height: 480, fps: 25, pixel_format: 'mjpeg' }],
      controls: [],
    });
  });

  it('leaves real cameras with no modes (= open with the configured mode)', async () => {
    const probe = new SyntheticDeviceProbe(noFfmpeg);
    for (const devicePath of ['/dev/video0', 'avfoundation:Cam', 'dshow:Cam']) {
      expect(await probe.probe(identity(devicePath))).to.deep.equal({ modes: [], controls: [] });
    }
  });

  it('reads a replay clip once with ffmpeg -i', async () => {
    const spawner = new FakeSpawner(() => ({ stderr: MKV_5_1, code: 1 }));
    const probe = new SyntheticDeviceProbe({ require: () => ({ path: '/usr/bin/ffmpeg' }) }, launcherFor(spawner));
    const expected = { modes: [{ width: 320, height: 240, fps: 30, pixel_format: 'mjpeg' }], controls: [] };
    expect(await probe.probe(identity('replay:/tmp/clip.mkv'))).to.deep.equal(expected);
    expect(await probe.probe(identity('replay:/tmp/clip.mkv'))).to.deep.equal(expected);
    expect(spawner.calls).to.deep.equal([{ command: '/usr/bin/ffmpeg', args: ['-hide_banner', '-nostdin', '-i', 'file:/tmp/clip.mkv'] }]);
  });

  it('fails with DEVICE_FAILED naming the clip when it has no video', async () => {
    const spawner = new FakeSpawner(() => ({ stderr: 'file:/tmp/none.mkv: No such file or directory\n', code: 1 }));
    const probe = new SyntheticDeviceProbe({ require: () => ({ path: '/usr/bin/ffmpeg' }) }, launcherFor(spawner));
    const error = await rejectionOf(probe.probe(identity('replay:/tmp/none.mkv')));
    expect(error).to.be.instanceOf(ModuleError);
    expect(error.kind).to.equal('DEVICE_FAILED');
    expect(error.message).to.include('/tmp/none.mkv').and.include('No such file or directory');
  });

  it('refuses every control with INVALID_CONTROL', async () => {
    const error = await rejectionOf(new SyntheticDeviceProbe(noFfmpeg)
      .setControl(identity('synthetic:'), 'brightness', 10)
      );
    expect(error.kind).to.equal('INVALID_CONTROL');
    expect(error.message).to.equal('Camera "Test cam" has no controls');
  });
});
