import path from 'node:path';
import { expect } from 'chai';
import { buildCaptureArgs, FRAME_TEE_OUTPUT } from '../../../src/camera_core/input_args.js';
import type { CaptureMode } from '../../../src/camera_core/types.js';
import { ModuleError } from '../../../src/errors/codes.js';
import type { FfmpegInfo } from '../../../src/ffmpeg/types.js';

const FULL = { hasTeeMuxer: true, hasLibx264: true, hasMjpegEncoder: true, hasV4l2: true } as const;
const FFMPEG_5_1: FfmpegInfo = {
  path: '/usr/bin/ffmpeg',
  version: '5.1.9-0+deb12u1',
  major: 5,
  minor: 1,
  source: 'path',
  capabilities: { fpsModeFlag: '-fps_mode', ...FULL },
};
const FFMPEG_4_1: FfmpegInfo = {
  path: '/opt/ffmpeg',
  version: 'N-47683-g0e8eb07980-static',
  major: 4,
  minor: 1,
  source: '@ffmpeg-installer/ffmpeg',
  capabilities: { fpsModeFlag: '-vsync', ...FULL },
};
const MJPEG_720P: CaptureMode = { width: 1280, height: 720, fps: 30, pixel_format: 'mjpeg' };
const GLOBAL = ['-nostats', '-hide_banner', '-loglevel', 'error'];
const LOW_LATENCY = ['-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0'];
const tail = (fpsFlag: string, codec: string[]): string[] => ['-map', '0:v:0', ...codec, fpsFlag, 'passthrough', '-copyts', '-f', 'tee', FRAME_TEE_OUTPUT];
const COPY = ['-c:v', 'copy'];
const ENCODE = ['-c:v', 'mjpeg', '-q:v', '5', '-pix_fmt', 'yuvj420p'];

describe('buildCaptureArgs', () => {
  it('tees MJPEG bytes to fd 1 and framecrc lines to fd 3, aborting if either fails', () => {
    expect(FRAME_TEE_OUTPUT).to.equal('[f=mjpeg:onfail=abort:flush_packets=1]pipe\\:1|[f=framecrc:onfail=abort:flush_packets=1]pipe\\:3');
  });

  for (const ffmpeg of [FFMPEG_5_1, FFMPEG_4_1]) {
    const flag = ffmpeg.capabilities.fpsModeFlag;
    describe(`with ffmpeg ${ffmpeg.major}.${ffmpeg.minor}`, () => {
      it('encodes the synthetic test pattern to MJPEG once, in real time', () => {
        const args = buildCaptureArgs({ kind: 'synthetic', width: 640, height: 480, fps: 30 }, { ...MJPEG_720P, width: 640, height: 480 }, ffmpeg);
        expect(args).to.deep.equal([...GLOBAL, '-re', ...LOW_LATENCY, '-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=30', ...tail(flag, ENCODE)]);
      });

      it('replays an MJPEG clip in real time, looping, without re-encoding', () => {
        const args = buildCaptureArgs({ kind: 'replay', path: 'clips/c.mkv' }, MJPEG_720P, ffmpeg);
        expect(args).to.deep.equal([...GLOBAL, '-re', '-stream_loop', '-1', '-i', `file:${path.resolve('clips/c.mkv')}`, ...tail(flag, COPY)]);
      });

      it('copies MJPEG from a V4L2 camera with kernel timestamps', () => {
        const args = buildCaptureArgs({ kind: 'v4l2', path: '/dev/video0' }, MJPEG_720P, ffmpeg);
        expect(args).to.deep.equal([
          ...GLOBAL,
          ...LOW_LATENCY,
          '-f', 'v4l2', '-input_format', 'mjpeg', '-video_size', '1280x720', '-framerate', '30', '-ts', 'default',
          '-i', '/dev/video0',
          ...tail(flag, COPY),
        ]);
      });

      it('encodes a V4L2 camera that only offers raw frames', () => {
        const args = buildCaptureArgs({ kind: 'v4l2', path: '/dev/video2' }, { width: 640, height: 480, fps: 15, pixel_format: 'yuyv422' }, ffmpeg);
        expect(args.slice(args.indexOf('-input_format'), args.indexOf('-input_format') + 2)).to.deep.equal(['-input_format', 'yuyv422']);
        expect(args.slice(-14)).to.deep.equal(tail(flag, ENCODE));
      });

      it('opens an AVFoundation camera (decoded frames) and encodes them', () => {
        const args = buildCaptureArgs({ kind: 'avfoundation', name: 'FaceTime HD Camera' }, { ...MJPEG_720P, pixel_format: 'uyvy422' }, ffmpeg);
        expect(args).to.deep.equal([
          ...GLOBAL,
          '-fflags', 'nobuffer',
          '-f', 'avfoundation', '-framerate', '30', '-video_size', '1280x720', '-pixel_format', 'uyvy422', '-i', 'FaceTime HD Camera',
          ...tail(flag, ENCODE),
        ]);
      });

      it('asks a DirectShow camera for MJPEG and copies it', () => {
        const args = buildCaptureArgs({ kind: 'dshow', name: 'USB Camera' }, MJPEG_720P, ffmpeg);
        expect(args).to.deep.equal([
          ...GLOBAL,
          '-fflags', 'nobuffer',
          '-f', 'dshow', '-vcodec', 'mjpeg', '-video_size', '1280x720', '-framerate', '30', '-i', 'video=USB Camera',
          ...tail(flag, COPY),
        ]);
      });
    });
  }

  it('uses -fps_mode only from 5.1 on', () => {
    const synthetic = { kind: 'synthetic', width: 640, height: 480, fps: 30 } as const;
    expect(buildCaptureArgs(synthetic, MJPEG_720P, FFMPEG_5_1)).to.include('-fps_mode').and.not.include('-vsync');
    expect(buildCaptureArgs(synthetic, MJPEG_720P, FFMPEG_4_1)).to.include('-vsync').and.not.include('-fps_mode');
  });

  it('refuses an ffmpeg without the tee muxer, or without an MJPEG encoder when one is needed', () => {
    const noTee = { ...FFMPEG_5_1, capabilities: { ...FFMPEG_5_1.capabilities, hasTeeMuxer: false } };
    expect(() => buildCaptureArgs({ kind: 'v4l2', path: '/dev/video0' }, MJPEG_720P, noTee)).to.throw(ModuleError, 'tee muxer');
    const noEncoder = { ...FFMPEG_5_1, capabilities: { ...FFMPEG_5_1.capabilities, hasMjpegEncoder: false } };
    expect(() => buildCaptureArgs({ kind: 'synthetic', width: 64, height: 64, fps: 30 }, MJPEG_720P, noEncoder)).to.throw(ModuleError, 'mjpeg encoder');
    expect(buildCaptureArgs({ kind: 'v4l2', path: '/dev/video0' }, MJPEG_720P, noEncoder)).to.include('copy');
  });
});
