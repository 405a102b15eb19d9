import { expect } from 'chai';
import { parseListFormatsExt } from '../../../src/camera_core/v4l2/list_formats_parser.js';
import { parseFfmpegListFormats } from '../../../src/camera_core/v4l2/ffmpeg_formats_parser.js';
import { modesFromFormats } from '../../../src/camera_core/v4l2/modes_from_formats.js';
import { parseListCtrls } from '../../../src/camera_core/v4l2/ctrls_parser.js';
import { isVideoCaptureNode, parseV4l2Info } from '../../../src/camera_core/v4l2/info_parser.js';
import { canonicalControlName } from '../../../src/camera_core/controls/control_names.js';
import type { FrameSize } from '../../../src/camera_core/v4l2/format_types.js';
import { cameraFixture } from '../../helpers/camera_fixtures.js';

const sizeList = (sizes: readonly FrameSize[]): string[] =>
  sizes.map((s) => (s.kind === 'discrete' ? `${s.width}x${s.height}` : `${s.minWidth}-${s.maxWidth}x${s.minHeight}-${s.maxHeight}`));

describe('v4l2-ctl --list-formats-ext', () => {
  const c920 = parseListFormatsExt(cameraFixture('logitech_c920/video0.formats.txt'));

  it('reads the v4l-utils 1.22 layout: fourcc, ffmpeg name, description, compressed flag, sizes and rates', () => {
    expect(c920.map((f) => [f.fourcc, f.pixelFormat, f.description, f.compressed])).to.deep.equal([
      ['YUYV', 'yuyv422', 'YUYV 4:2:2', false],
      ['MJPG', 'mjpeg', 'Motion-JPEG', true],
    ]);
    const [yuyv, mjpeg] = c920;
    expect(yuyv?.sizes).to.have.length(19);
    expect(mjpeg?.sizes).to.have.length(17);
    const vga = mjpeg?.sizes[0];
    expect(vga?.kind === 'discrete' && [vga.width, vga.height]).to.deep.equal([640, 480]);
    expect(vga?.intervals.map((i) => (i.kind === 'discrete' ? i.fps : -1))).to.deep.equal([30, 24, 20, 15, 10, 7.5, 5]);
  });

  it('gives each (format, size, rate) one mode; YUYV at full HD only at 5 fps', () => {
    const modes = modesFromFormats(c920);
    expect(modes).to.deep.include({ width: 1920, height: 1080, fps: 30, pixel_format: 'mjpeg' });
    expect(modes).to.deep.include({ width: 1920, height: 1080, fps: 5, pixel_format: 'yuyv422' });
    expect(modes).to.not.deep.include({ width: 1920, height: 1080, fps: 30, pixel_format: 'yuyv422' });
    expect(modes.filter((m) => m.pixel_format === 'mjpeg')).to.have.length(17 * 7);
  });

  it('reads the v4l-utils 1.16 layout (Pixel Format / Name lines) to the same modes', () => {
    const old = parseListFormatsExt(cameraFixture('logitech_c920_h264_rpi/video0.formats.txt'));
    expect(old.map((f) => [f.fourcc, f.pixelFormat, f.description, f.compressed])).to.deep.equal([
      ['YUYV', 'yuyv422', 'YUYV 4:2:2', false],
      ['H264', 'h264', 'H.264', true],
      ['MJPG', 'mjpeg', 'Motion-JPEG', true],
    ]);
    // The H.264 firmware lists the same YUYV and MJPEG sizes and rates as the current one.
    expect(modesFromFormats(old).filter((m) => m.pixel_format !== 'h264')).to.deep.equal(modesFromFormats(c920));
    expect(modesFromFormats(old).filter((m) => m.pixel_format === 'h264')).to.have.length(17 * 7);
  });

  it('leaves out formats ffmpeg cannot capture (RealSense Y8I, Y12I) and maps Z16 and GREY', () => {
    const ir = parseListFormatsExt(cameraFixture('intel_realsense_d435/video6.formats.txt'));
    expect(ir.map((f) => [f.fourcc, f.pixelFormat])).to.deep.equal([['GREY', 'gray'], ['Y8I', null], ['Y12I', null]]);
    expect(new Set(modesFromFormats(ir).map((m) => m.pixel_format))).to.deep.equal(new Set(['gray']));
    const depth = parseListFormatsExt(cameraFixture('intel_realsense_d435/video4.formats.txt'));
    expect(depth[0]?.fourcc).to.equal('Z16');
    expect(modesFromFormats(depth)).to.deep.include({ width: 256, height: 144, fps: 300, pixel_format: 'gray16le' });
  });

  it('samples stepwise sizes at standard sizes plus the largest, at 30 fps when no rates are listed', () => {
    const formats = parseListFormatsExt(cameraFixture('raspberry_pi_camera_bcm2835/video0.formats.txt'));
    expect(formats).to.have.length(14);
    const size = formats[0]?.sizes[0];
    expect(size).to.deep.equal({ kind: 'stepwise', minWidth: 32, minHeight: 32, maxWidth: 2592, maxHeight: 1944, stepWidth: 2, stepHeight: 2, intervals: [] });
    const mjpeg = modesFromFormats(formats).filter((m) => m.pixel_format === 'mjpeg');
    expect(mjpeg.map((m) => `${m.width}x${m.height}@${m.fps}`)).to.include.members(['640x480@30', '1920x1080@30', '2592x1944@30']);
    expect(mjpeg.map((m) => `${m.width}x${m.height}`)).to.not.include('3840x2160');
  });

  it('samples stepwise and continuous intervals at standard rates within the range', () => {
    const text = [
      'ioctl: VIDIOC_ENUM_FMT', '\tType: Video Capture', '', "\t[0]: 'MJPG' (Motion-JPEG, compressed)",
      '\t\tSize: Discrete 1280x720', '\t\t\tInterval: Stepwise 0.033s - 1.000s with step 0.000s (1.000-30.000 fps)',
      '\t\tSize: Continuous 16x16 - 640x480', '\t\t\tInterval: Continuous 0.017s - 0.200s (5.000-60.000 fps)',
    ].join('\n');
    const modes = modesFromFormats(parseListFormatsExt(text));
    expect(modes.filter((m) => m.width === 1280).map((m) => m.fps)).to.deep.equal([30, 25, 24, 20, 15, 10, 5]);
    expect(modes.filter((m) => m.width === 640 && m.height === 480).map((m) => m.fps)).to.deep.equal([60, 50, 30, 25, 24, 20, 15, 10, 5]);
  });
});

describe('ffmpeg -f v4l2 -list_formats all', () => {
  it('reads the same formats and sizes as v4l2-ctl, without rates', () => {
    const ff = parseFfmpegListFormats(cameraFixture('logitech_c920/video0.ffmpeg-list-formats.txt'));
    const v4l2 = parseListFormatsExt(cameraFixture('logitech_c920/video0.formats.txt'));
    expect(ff.map((f) => [f.pixelFormat, f.description, f.compressed])).to.deep.equal([['yuyv422', 'YUYV 4:2:2', false], ['mjpeg', 'Motion-JPEG', true]]);
    expect(ff.map((f) => sizeList(f.sizes))).to.deep.equal(v4l2.map((f) => sizeList(f.sizes)));
    expect(new Set(modesFromFormats(ff).map((m) => m.fps))).to.deep.equal(new Set([30]));
  });

  it('marks formats ffmpeg calls Unsupported, and reads stepwise sizes', () => {
    const ir = parseFfmpegListFormats(cameraFixture('intel_realsense_d435/video6.ffmpeg-list-formats.txt'));
    expect(ir.map((f) => f.pixelFormat)).to.deep.equal(['gray', null, null]);
    const pi = parseFfmpegListFormats(cameraFixture('raspberry_pi_camera_bcm2835/video0.ffmpeg-list-formats.txt'));
    expect(pi).to.have.length(14);
    expect(pi[3]).to.include({ pixelFormat: 'mjpeg', description: 'JFIF JPEG', compressed: true });
    expect(pi[3]?.sizes).to.deep.equal([{ kind: 'stepwise', minWidth: 32, maxWidth: 2592, stepWidth: 2, minHeight: 32, maxHeight: 1944, stepHeight: 2, intervals: [] }]);
  });
});

describe('v4l2-ctl --list-ctrls-menus', () => {
  const current = parseListCtrls(cameraFixture('logitech_c920/video0.ctrls.txt'));
  const old = parseListCtrls(cameraFixture('logitech_c920_h264_rpi/video0.ctrls.txt'));

  it('reads int, bool and menu controls with range, default, value, flags and menu items', () => {
    expect(current).to.have.length(17);
    expect(current.find((c) => c.name === 'brightness')).to.deep.equal({ name: 'brightness', type: 'int', min: 0, max: 255, step: 1, default: 128, value: 128 });
    expect(current.find((c) => c.name === 'white_balance_automatic')).to.deep.equal({ name: 'white_balance_automatic', type: 'bool', default: true, value: true });
    expect(current.find((c) => c.name === 'auto_exposure')).to.deep.equal({
      name: 'auto_exposure', type: 'menu', min: 0, max: 3, default: 3, value: 3,
      menu: [{ value: 1, label: 'Manual Mode' }, { value: 3, label: 'Aperture Priority Mode' }],
    });
    expect(current.find((c) => c.name === 'exposure_time_absolute')?.flags).to.deep.equal(['inactive']);
    expect(current.find((c) => c.name === 'pan_absolute')).to.include({ min: -36000, max: 36000, step: 3600 });
  });

  it('reads the kernel 4.19 names and v4l-utils 1.16 menus (no label after the value) to the same controls', () => {
    expect(old.map((c) => c.name)).to.include.members(['exposure_auto', 'exposure_absolute', 'white_balance_temperature_auto', 'focus_auto']);
    const canonical = (list: typeof old) => list.map((c) => ({ ...c, name: canonicalControlName(c.name) }));
    expect(canonical(old)).to.deep.equal(canonical(current));
  });

  it('reads intmenu, button and other types, and several flags', () => {
    const text = [
      '                 link_frequency 0x009f0901 (intmenu): min=0 max=1 default=0 value=0 flags=read-only',
      '\t\t\t\t0: 456000000 (0x1b2e0200)',
      '\t\t\t\t1: 192000000 (0xb71b000)',
      '                  focus_start 0x009a0911 (button) : flags=write-only, execute-on-write',
      '                  pixel_rate 0x009f0902 (int64)  : min=1 max=2147483647 step=1 default=1 value=1 flags=read-only',
    ].join('\n');
    const [link, button, rate] = parseListCtrls(text);
    expect(link).to.deep.equal({ name: 'link_frequency', type: 'intmenu', min: 0, max: 1, default: 0, value: 0, flags: ['read-only'], menu: [{ value: 0, label: '456000000' }, { value: 1, label: '192000000' }] });
    expect(button).to.deep.equal({ name: 'focus_start', type: 'button', flags: ['write-only', 'execute-on-write'] });
    expect(rate).to.include({ type: 'other', max: 2147483647 });
  });
});

describe('v4l2-ctl --info', () => {
  it('tells capture nodes from UVC metadata nodes by their device caps, in both layouts', () => {
    const read = (f: string) => parseV4l2Info(cameraFixture(f));
    const capture = read('logitech_c920/video0.info.txt');
    expect(capture).to.deep.equal({ driver: 'uvcvideo', card: 'HD Pro Webcam C920', busInfo: 'usb-0000:00:14.0-2', deviceCaps: ['Video Capture', 'Streaming', 'Extended Pix Format'] });
    expect(isVideoCaptureNode(capture)).to.equal(true);
    expect(isVideoCaptureNode(read('logitech_c920/video1.info.txt'))).to.equal(false);
    const old = read('logitech_c920_h264_rpi/video0.info.txt');
    expect(old).to.include({ driver: 'uvcvideo', busInfo: 'usb-3f980000.usb-1.2' });
    expect(isVideoCaptureNode(old)).to.equal(true);
    expect(isVideoCaptureNode(read('logitech_c920_h264_rpi/video1.info.txt'))).to.equal(false);
    expect([4, 5, 6, 7, 8, 9].map((n) => isVideoCaptureNode(read(`intel_realsense_d435/video${n}.info.txt`))))
      .to.deep.equal([true, false, true, false, true, false]);
  });

  it('reads a listing indented with spaces, or indented as a whole, like the tab-indented original', () => {
    const read = (f: string) => parseV4l2Info(cameraFixture(f));
    for (const n of [0, 1]) {
      const original = read(`logitech_c920/video${n}.info.txt`);
      expect(original.deviceCaps).to.not.deep.equal([]);
      expect(read(`logitech_c920_space_indented/video${n}.info.txt`)).to.deep.equal(original);
      const shifted = cameraFixture(`logitech_c920/video${n}.info.txt`).split('\n').map((l) => `  ${l.replace(/\t/g, '   ')}`).join('\n');
      expect(parseV4l2Info(shifted)).to.deep.equal(original);
    }
    expect(isVideoCaptureNode(read('logitech_c920_space_indented/video0.info.txt'))).to.equal(true);
    expect(isVideoCaptureNode(read('logitech_c920_space_indented/video1.info.txt'))).to.equal(false);
  });

  it('does not take the Media Driver Info block for the Driver Info one', () => {
    const info = parseV4l2Info(cameraFixture('logitech_c920_space_indented/video0.info.txt'));
    expect(info.card).to.equal('HD Pro Webcam C920');
    expect(info.deviceCaps).to.deep.equal(['Video Capture', 'Streaming', 'Extended Pix Format']);
  });
});

describe('v4l2-ctl --list-ctrls-menus of v4l-utils before 1.14 (no control id)', () => {
  it('reads the same controls as the current layout', () => {
    const old = parseListCtrls(cameraFixture('logitech_c920_v4l_utils_1.12/video0.ctrls.txt'));
    const current = parseListCtrls(cameraFixture('logitech_c920/video0.ctrls.txt'));
    expect(old.length).to.be.greaterThan(10);
    expect(old).to.deep.equal(current);
  });
});
