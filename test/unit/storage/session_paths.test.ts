import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync, existsSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModuleError } from '../../../src/errors/codes.js';
import {
  resolveSessionPaths, sanitizeLabel, sanitizePrefix, videoPartPath, withExtension,
} from '../../../src/storage/session_paths.js';

describe('session paths', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(path.join(tmpdir(), 'paths-'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const inside = (p: string): boolean => !path.relative(base, p).startsWith('..') && !path.isAbsolute(path.relative(base, p));

  it('sanitizes labels as seed P3.1 does', () => {
    expect(sanitizeLabel('HD Pro Webcam C920')).to.equal('hd_pro_webcam_c920');
    expect(sanitizeLabel('  --Cam #2 (left)!! ')).to.equal('cam_2_left');
    expect(sanitizeLabel('../../x')).to.equal('x');
    expect(sanitizeLabel('///')).to.equal('');
  });

  it('sanitizes prefixes but keeps their case and dashes', () => {
    expect(sanitizePrefix('Pilot-03_trial001')).to.equal('Pilot-03_trial001');
    expect(sanitizePrefix('My Study: day 1')).to.equal('My_Study_day_1');
    expect(sanitizePrefix('../../etc/passwd')).to.equal('etc_passwd');
    expect(sanitizePrefix('-rf')).to.equal('rf');
  });

  it('names the three files after prefix and label and creates the folder', () => {
    const target = path.join(base, 'new', 'dir');
    const paths = resolveSessionPaths({ basePath: target, sessionPrefix: 'session_trial001', cameraLabel: 'HD Webcam' });
    expect(paths).to.deep.equal({
      outputDir: target,
      videoPath: path.join(target, 'session_trial001_hd_webcam.mkv'),
      timingPath: path.join(target, 'session_trial001_hd_webcam_timing.csv'),
      metadataPath: path.join(target, 'session_trial001_hd_webcam_metadata.csv'),
      renamed: false,
    });
    expect(existsSync(target)).to.equal(true);
  });

  it('puts each camera in its own folder when asked, with the caller\'s extension', () => {
    const paths = resolveSessionPaths({
      basePath: base, sessionPrefix: 'S1', cameraLabel: 'Left Cam', perCameraSubdir: true, videoExtension: 'mp4',
    });
    expect(paths.outputDir).to.equal(path.join(base, 'left_cam'));
    expect(paths.videoPath).to.equal(path.join(base, 'left_cam', 'S1.mp4'));
    expect(paths.timingPath).to.equal(path.join(base, 'left_cam', 'S1_timing.csv'));
    expect(paths.metadataPath).to.equal(path.join(base, 'left_cam', 'S1_metadata.csv'));
    expect(existsSync(paths.outputDir)).to.equal(true);
  });

  it('keeps traversal and absolute prefixes and labels inside the base folder', () => {
    const hostile = ['../../x', '/etc/passwd', '..', '.', 'C:\\Windows\\x', '..\\..\\x', '~/x', 'a/../../b'];
    for (const sessionPrefix of hostile) {
      for (const cameraLabel of hostile) {
        for (const perCameraSubdir of [false, true]) {
          const paths = resolveSessionPaths({ basePath: base, sessionPrefix, cameraLabel, perCameraSubdir });
          for (const p of [paths.outputDir, paths.videoPath, paths.timingPath, paths.metadataPath]) {
            expect(inside(p), `${sessionPrefix} / ${cameraLabel} -> ${p}`).to.equal(true);
          }
        }
      }
    }
  });

  it('names an empty label "camera" and an empty prefix "session"', () => {
    const paths = resolveSessionPaths({ basePath: base, sessionPrefix: '...', cameraLabel: '!!!' });
    expect(path.basename(paths.videoPath)).to.equal('session_camera.mkv');
  });

  it('refuses a per-camera folder that is a symlink out of the base', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'outside-'));
    try {
      symlinkSync(outside, path.join(base, 'cam'));
      expect(() => resolveSessionPaths({ basePath: base, sessionPrefix: 's', cameraLabel: 'cam', perCameraSubdir: true }))
        .to.throw(ModuleError).with.property('kind', 'INVALID_PARAMS');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('never overwrites an earlier recording: any taken file moves the name to _2, _3', () => {
    const request = { basePath: base, sessionPrefix: 'session_trial001', cameraLabel: 'cam' };
    const first = resolveSessionPaths(request);
    writeFileSync(first.timingPath, 'x');
    const second = resolveSessionPaths(request);
    expect(path.basename(second.videoPath)).to.equal('session_trial001_cam_2.mkv');
    expect(path.basename(second.timingPath)).to.equal('session_trial001_cam_2_timing.csv');
    expect(second.renamed).to.equal(true);
    writeFileSync(second.videoPath, 'x');
    expect(path.basename(resolveSessionPaths(request).metadataPath)).to.equal('session_trial001_cam_3_metadata.csv');
  });

  it('applies the collision rule inside per-camera folders too', () => {
    mkdirSync(path.join(base, 'cam'));
    writeFileSync(path.join(base, 'cam', 'p_metadata.csv'), 'x');
    const paths = resolveSessionPaths({ basePath: base, sessionPrefix: 'p', cameraLabel: 'cam', perCameraSubdir: true });
    expect(path.basename(paths.videoPath)).to.equal('p_2.mkv');
  });

  it('keeps the trial number and camera in every name however long the prefix: only the prefix is cut', () => {
    const long = 'P'.repeat(119);
    const names = [1, 2].map((n) => resolveSessionPaths({ basePath: base, sessionPrefix: `${long}_trial00${n}`, cameraLabel: 'cam' }));
    expect(path.basename(names[0]!.videoPath)).to.match(/^P+_trial001_cam\.mkv$/);
    expect(path.basename(names[1]!.videoPath)).to.match(/^P+_trial002_cam\.mkv$/);
    expect(names.map((p) => p.renamed)).to.deep.equal([false, false]);
    const huge = resolveSessionPaths({ basePath: base, sessionPrefix: `${'Q'.repeat(300)}_CAM_trial123`, cameraLabel: 'usb1-1-2' });
    expect(path.basename(huge.timingPath)).to.match(/^Q+_trial123_usb1_1_2_timing\.csv$/);
    expect(path.basename(huge.videoPath, '.mkv').length).to.be.at.most(128 + 1 + 'usb1_1_2'.length);
  });

  it('takes the trial tag as its own field, never cut', () => {
    const paths = resolveSessionPaths({ basePath: base, sessionPrefix: 'R'.repeat(200), trialTag: 'trial007', cameraLabel: 'cam', perCameraSubdir: true });
    expect(path.basename(paths.videoPath)).to.match(/^R+_trial007\.mkv$/);
    expect(path.basename(paths.videoPath, '.mkv')).to.have.length(128);
    expect(path.basename(resolveSessionPaths({ basePath: base, sessionPrefix: 'short_trial001', cameraLabel: 'cam' }).videoPath))
      .to.equal('short_trial001_cam.mkv');
  });

  it('refuses a symbolic link at one of the names instead of choosing around it', () => {
    const target = path.join(base, 'elsewhere.csv');
    symlinkSync(target, path.join(base, 'p_cam_timing.csv'));
    expect(() => resolveSessionPaths({ basePath: base, sessionPrefix: 'p', cameraLabel: 'cam' }))
      .to.throw(ModuleError).with.property('kind', 'STORAGE_UNAVAILABLE');
  });

  it('rejects a strange video extension', () => {
    expect(() => resolveSessionPaths({ basePath: base, sessionPrefix: 'p', cameraLabel: 'c', videoExtension: '../mkv' }))
      .to.throw(ModuleError).with.property('kind', 'INVALID_PARAMS');
  });

  it('derives part and extension names from a video path', () => {
    expect(videoPartPath('/r/s_cam.mkv', 2)).to.equal('/r/s_cam_part2.mkv');
    expect(videoPartPath('/r/s_cam.mkv', 3, '.mp4')).to.equal('/r/s_cam_part3.mp4');
    expect(withExtension('/r/s_cam.mkv', '.mp4')).to.equal('/r/s_cam.mp4');
  });
});
