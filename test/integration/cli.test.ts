import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runCli, type CliRun } from '../helpers/run_cli.js';
import { ensureMjpegClip } from '../../src/camera_core/test_clip.js';
import { FfmpegLocator } from '../../src/ffmpeg/locate.js';

/** Runs the built `cameras-usb2` as a user would, in `cwd`, stdin closed. */
const cli = (args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> => runCli(args, options);

const COMMANDS = ['serve', 'devices', 'demo', 'repair', 'install-rpi-logger', 'uninstall-rpi-logger'];

/** One line on stderr, and no stack trace in it. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).to.have.length(1);
  expect(stderr).to.not.match(/\n\s+at /);
  return lines[0]!;
}

describe('cameras-usb2 command line, like other CLIs', function () {
  this.timeout(60_000);
  let cwd: string;
  beforeEach(() => { cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-cli-')); });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      it(`${command} ${flag} prints its usage to stdout, exits 0 and does nothing else`, async () => {
        const run = await cli([command, flag], { cwd });
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(new RegExp(`^usage: cameras-usb2 ${command}\\b`));
        expect(run.stderr).to.equal('');
        expect(fs.readdirSync(cwd), 'no demo-output folder, no recording').to.deep.equal([]);
      });
    }
  }

  it('--help and help print the general usage with exit 0; no command is a usage error', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await cli(args, { cwd });
      expect(run.code).to.equal(0);
      expect(run.stdout).to.include('usage: cameras-usb2 <command>');
    }
    expect((await cli(['help', 'demo'], { cwd })).stdout).to.match(/^usage: cameras-usb2 demo/);
    const none = await cli([], { cwd });
    expect(none.code).to.equal(2);
    expect(none.stderr).to.include('usage: cameras-usb2 <command>');
  });

  it('refuses an unknown option or command with one line, a hint and exit 2', async () => {
    const typo = await cli(['demo', '--secnds', '1'], { cwd });
    expect(typo.code).to.equal(2);
    expect(oneLine(typo.stderr)).to.equal('cameras-usb2 demo: unknown option --secnds for demo (did you mean --seconds?); see cameras-usb2 demo --help');
    expect(fs.readdirSync(cwd)).to.deep.equal([]);
    const devices = await cli(['devices', '--jsno'], { cwd });
    expect(devices.code).to.equal(2);
    expect(oneLine(devices.stderr)).to.include('unknown option --jsno for devices (did you mean --json?)');
    const unknown = await cli(['record'], { cwd });
    expect(unknown.code).to.equal(2);
    expect(oneLine(unknown.stderr)).to.include('unknown command record');
  });

  it('prints user errors as one line without a stack trace, exit 2', async () => {
    for (const args of [['demo', '--seconds', 'abc'], ['demo', '--out'], ['demo', '--camera', 'synthetic:1x1'], ['install-rpi-logger', path.join(cwd, 'missing')], ['install-rpi-logger'], ['serve', '--host-dialect', 'xml']]) {
      const run = await cli(args, { cwd });
      expect(run.code, args.join(' ')).to.equal(2);
      expect(oneLine(run.stderr)).to.match(/^cameras-usb2 [a-z-]+: /);
    }
  });

  it('a demo whose camera cannot be opened fails with one line, exit 1, and leaves no demo-output folder', async () => {
    const run = await cli(['demo', '--camera', `replay:${path.join(cwd, 'no-such-clip.mkv')}`, '--seconds', '1'], { cwd });
    expect(run.code, run.stderr).to.equal(1);
    expect(oneLine(run.stderr)).to.match(/^cameras-usb2 demo: camera replay:.* could not be opened/);
    expect(fs.readdirSync(cwd).filter((n) => n.startsWith('demo-output-'))).to.deep.equal([]);
  });

  it('names a replay camera replay in the demo, not synthetic', async () => {
    const ffmpeg = await new FfmpegLocator({ env: { PATH: process.env.PATH } }).locate();
    const clip = await ensureMjpegClip({ ffmpegPath: ffmpeg.path, width: 320, height: 240, fps: 25, seconds: 1, dir: path.join(os.tmpdir(), 'cameras-usb2-test-clips') });
    const run = await cli(['demo', '--camera', `replay:${clip}`, '--seconds', '1', '--out', path.join(cwd, 'out')], { cwd });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('"camera_id":"replay:cam1"').and.not.include('synthetic:cam1');
  });

  it('devices says why it found nothing and mentions the synthetic: camera', async () => {
    const noSysfs = await cli(['devices'], { cwd, env: { CAMERAS_SYSFS_ROOT: path.join(cwd, 'none'), CAMERAS_DEV_ROOT: path.join(cwd, 'none') } });
    expect(noSysfs.code).to.equal(0);
    expect(noSysfs.stdout).to.include(`No camera found: ${path.join(cwd, 'none', 'class', 'video4linux')} does not exist`);
    expect(noSysfs.stdout).to.include('synthetic:1280x720@30');
    fs.mkdirSync(path.join(cwd, 'sys', 'class', 'video4linux'), { recursive: true });
    const empty = await cli(['devices', '--json'], { cwd, env: { CAMERAS_SYSFS_ROOT: path.join(cwd, 'sys'), CAMERAS_DEV_ROOT: path.join(cwd, 'sys') } });
    const listing = JSON.parse(empty.stdout) as { empty_reason: string; without_a_camera: string };
    expect(listing.empty_reason).to.match(/^no video device node exists/);
    expect(listing.without_a_camera).to.include('synthetic:');
  });

  it('devices says when the video4linux listing may not be read', async function () {
    if (process.getuid?.() === 0) this.skip(); // root reads any folder: the permission case cannot happen
    const locked = path.join(cwd, 'sys', 'class', 'video4linux');
    fs.mkdirSync(locked, { recursive: true });
    fs.chmodSync(locked, 0o000);
    const run = await cli(['devices'], { cwd, env: { CAMERAS_SYSFS_ROOT: path.join(cwd, 'sys') } });
    fs.chmodSync(locked, 0o755);
    expect(run.stdout).to.include('cannot be read: permission denied');
  });
});
