import { expect } from 'chai';
import { decideRecordingFormat } from '../../../src/camera_core/recording_format.js';
import { trialMetadata } from '../../../src/storage/trial_metadata.js';
import { trialContext } from '../../helpers/trial_fixtures.js';
import { ProgressParser, type ProgressReport } from '../../../src/storage/transcode/progress_parser.js';
import { jpegQualityToQscale, transcodeArgs } from '../../../src/storage/transcode/transcode_args.js';
import { trialDuration } from '../../../src/storage/trial_figures.js';
import type { FfmpegInfo } from '../../../src/ffmpeg/types.js';

const mode = { width: 1920, height: 1080, fps: 30, pixel_format: 'mjpeg' };
const base = { captureMode: mode, recordMode: mode, codec: 'mjpeg' as const, jpegQuality: 85, h264Crf: 23, forceReencode: false, queueMaxFrames: 30 };

function ffmpeg(major: number, minor: number): FfmpegInfo {
  return {
    path: '/usr/bin/ffmpeg', version: `${major}.${minor}`, major, minor, source: 'path',
    capabilities: { fpsModeFlag: major > 5 || (major === 5 && minor >= 1) ? '-fps_mode' : '-vsync', hasTeeMuxer: true, hasLibx264: true, hasMjpegEncoder: true, hasV4l2: true },
  };
}

describe('video writer choice', () => {
  it('passes MJPEG through only in the captured mode without forced re-encode', () => {
    expect(decideRecordingFormat(base)).to.include({ passthrough: true, extension: '.mkv', filePixelFormat: 'mjpeg' });
    expect(decideRecordingFormat({ ...base, forceReencode: true })).to.include({ passthrough: false, extension: '.mkv', filePixelFormat: 'mjpeg' });
    expect(decideRecordingFormat({ ...base, recordMode: { ...mode, width: 1280, height: 720 } })).to.include({ passthrough: false });
    expect(decideRecordingFormat({ ...base, recordMode: { ...mode, fps: 15 } })).to.include({ passthrough: false });
    expect(decideRecordingFormat({ ...base, codec: 'h264' })).to.include({ passthrough: false, extension: '.mp4', filePixelFormat: 'yuv420p' });
  });

  it('stores a YUYV camera\'s frames as the capture encoded them: passthrough, and the file holds MJPEG', () => {
    const yuyv = { ...mode, width: 640, height: 480, pixel_format: 'yuyv422' };
    const format = decideRecordingFormat({ ...base, captureMode: yuyv, recordMode: { ...yuyv, pixel_format: 'mjpeg' } });
    expect(format).to.include({ passthrough: true, filePixelFormat: 'mjpeg', extension: '.mkv' });
    expect(format.reason).to.contain('yuyv422');
  });

  it('names in the metadata the pixel format the file holds, never the camera\'s raw one', () => {
    const yuyv = { width: 640, height: 480, fps: 30, pixel_format: 'yuyv422' };
    const context = trialContext({ captureMode: yuyv, recordMode: { ...yuyv, pixel_format: 'mjpeg' } });
    const row = (codec: 'mjpeg' | 'h264') => trialMetadata({
      context, paths: { outputDir: '/r', videoPath: '/r/a.mkv', timingPath: '/r/a_timing.csv', metadataPath: '/r/a_metadata.csv', renamed: false },
      format: decideRecordingFormat({ ...base, codec, captureMode: context.captureMode, recordMode: context.recordMode }),
      startedUnixNs: 1_700_000_000_000_000_000n, endedUnixNs: null, summary: null, videoFiles: ['a.mkv'], gaps: [],
    });
    expect(row('mjpeg').pixel_format).to.equal('mjpeg');
    expect(row('h264').pixel_format).to.equal('yuv420p');
  });
});

describe('transcode arguments', () => {
  it('maps jpeg quality 1..100 onto -q:v 31..2', () => {
    expect(jpegQualityToQscale(1)).to.equal(31);
    expect(jpegQualityToQscale(100)).to.equal(2);
    expect(jpegQualityToQscale(85)).to.equal(6);
    expect(jpegQualityToQscale(500)).to.equal(2);
  });

  it('keeps timestamps with the flag the ffmpeg version knows, and -stats_period only from 4.4', () => {
    const settings = { outputPath: '/r/a.mp4', recordMode: { ...mode, width: 640, height: 360 }, codec: 'h264' as const, jpegQuality: 85, h264Crf: 20 };
    const modern = transcodeArgs(ffmpeg(5, 1), settings).join(' ');
    expect(modern).to.contain('-copyts -fps_mode passthrough -vf scale=640:360');
    expect(modern).to.contain('-c:v libx264 -preset veryfast -crf 20 -bf 0 -pix_fmt yuv420p');
    expect(modern).to.contain('-movflags +frag_keyframe+empty_moov+default_base_moof -video_track_timescale 1000');
    expect(modern).to.contain('-progress pipe:3 -stats_period 0.5');
    expect(modern.endsWith('-n /r/a.mp4')).to.equal(true);
    const old = transcodeArgs(ffmpeg(4, 3), settings).join(' ');
    expect(old).to.contain('-vsync passthrough');
    expect(old).to.not.contain('-stats_period');
    expect(transcodeArgs(ffmpeg(4, 4), settings)).to.include('-stats_period');
    const mjpeg = transcodeArgs(ffmpeg(5, 1), { ...settings, codec: 'mjpeg', outputPath: '/r/a.mkv', jpegQuality: 100 }).join(' ');
    expect(mjpeg).to.contain('-c:v mjpeg -q:v 2 -f matroska');
  });

  it('parses -progress blocks across chunk boundaries', () => {
    const reports: ProgressReport[] = [];
    const parser = new ProgressParser((report) => reports.push(report));
    parser.push('frame=12\nfps=0.0\nprogress=cont');
    parser.push('inue\nframe=4');
    parser.push('0\nprogress=end\n');
    expect(reports).to.deep.equal([{ frame: 12, end: false }, { frame: 40, end: true }]);
  });
});

describe('trial figures', () => {
  it('counts duration from first to last frame plus one interval, summed over parts', () => {
    const second = 1_000_000_000n;
    const { durationSeconds, actualFps } = trialDuration([
      { frames: 31, firstSensorNs: 0n, lastSensorNs: second },
      { frames: 11, firstSensorNs: 100n * second, lastSensorNs: 100n * second + second / 2n },
    ], 30);
    expect(durationSeconds).to.be.closeTo(1 + 1 / 30 + 0.5 + 0.05, 1e-9);
    expect(actualFps).to.be.closeTo(42 / durationSeconds, 1e-9);
    expect(trialDuration([{ frames: 1, firstSensorNs: 5n, lastSensorNs: 5n }], 25).durationSeconds).to.equal(0.04);
    expect(trialDuration([], 30)).to.deep.equal({ durationSeconds: 0, actualFps: 0 });
  });
});
