import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { FakeRpiHost } from '../helpers/fake_rpi_host.js';
import { installRpiLogger } from '../../src/cli/rpi_logger_install.js';
import { checkRecording } from '../../src/verify/recording_check.js';
import { locatedTools } from '../helpers/run_tool.js';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';

const STABLE_ID = 'usb1-1-2';
const hasPython = spawnSync('python3', ['--version']).status === 0;

/** The assign_device line of host-protocol.md, with a synthetic camera at camera_dev_path. */
const assign = (sessionDir: string, commandId: string, devPath = 'synthetic:640x480@30') => ({
  command_id: commandId, device_id: `usb:${STABLE_ID}`, device_type: 'USB_Camera', port: '', baudrate: 0,
  is_wireless: false, is_network: false, session_dir: sessionDir, is_camera: true, camera_type: 'usb',
  camera_stable_id: STABLE_ID, camera_dev_path: devPath, camera_hw_model: 'HD Pro Webcam C920',
  camera_location: '/sys/devices/pci0000:00/usb1/1-2', camera_index: 0,
  display_name: `USB:HD Pro Webcam C920 [1-2](USB):usb:${STABLE_ID}`,
});

describe('under the RPi_Logger host protocol (fake host, real ffmpeg)', function () {
  this.timeout(60_000);
  let root: string;
  let sessionDir: string;
  let launcher: string;
  let host: FakeRpiHost | null = null;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-rpi-'));
    const modules = path.join(root, 'rpi_logger', 'modules');
    fs.mkdirSync(path.join(modules, 'Cameras', 'camera_discovery'), { recursive: true });
    fs.writeFileSync(path.join(modules, 'Cameras', 'main_cameras.py'), 'import asyncio\nasync def main(): pass\n');
    launcher = installRpiLogger(modules).written[0] as string;
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  beforeEach(() => {
    sessionDir = path.join(root, `session_20250101_12000${Math.floor(Math.random() * 10)}_${Date.now()}`);
    fs.mkdirSync(sessionDir, { recursive: true });
  });
  afterEach(async () => {
    host?.kill('SIGKILL');
    await host?.exited;
    host = null;
  });

  /** python3 main_cameras.py <the host's argv>, or the bin directly where python3 is missing. */
  function start(env: NodeJS.ProcessEnv = process.env): FakeRpiHost {
    const argv = ['--output-dir', sessionDir, '--session-prefix', 'session', '--log-level', 'info', '--no-console',
      '--enable-commands', '--instance-id', `CAMERAS:usb:${STABLE_ID}`, '--platform', 'linux', '--architecture', 'x86_64'];
    host = hasPython
      ? new FakeRpiHost('python3', [launcher, ...argv], env)
      : new FakeRpiHost(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), 'serve', '--stdio', ...argv], env);
    return host;
  }

  it('runs a whole session: two trials, files under <session_dir>/Cameras/<stable_id>/, shutdown sequence', async () => {
    const h = start();
    const ready = await h.waitFor('ready', 5000);
    console.log(`      ready ${ready.at} ms after start (host deadline 5 s, target 1 s)${hasPython ? ' via the python launcher' : ''}`);
    h.send('assign_device', assign(sessionDir, 'CAMERAS:usb:usb1-1-2:1'));
    const deviceReady = await h.waitFor('device_ready', 3000);
    expect(deviceReady.command_id).to.equal('CAMERAS:usb:usb1-1-2:1');
    expect(deviceReady.data['device_id']).to.equal(`usb:${STABLE_ID}`);
    h.send('start_session', { session_dir: sessionDir });
    const stops = [];
    for (const trial of [1, 2]) {
      h.send('record', { session_dir: sessionDir, trial_number: trial, ...(trial === 1 ? { trial_label: 'baseline' } : {}) });
      await h.waitFor('recording_started', 3000, (l) => l.data['trial_number'] === trial);
      await new Promise((r) => setTimeout(r, 1200));
      h.send('pause');
      stops.push(await h.waitFor('recording_stopped', 3000, (l) => l.data['trial_number'] === trial));
    }
    h.send('stop_session');
    await h.waitFor('session_stopped', 3000);
    const sent = Date.now();
    h.send('unassign_all_devices', { command_id: 'shutdown-8cf09ece' });
    const unassigned = await h.waitFor('device_unassigned', 3000);
    expect(unassigned.command_id).to.equal('shutdown-8cf09ece');
    console.log(`      device_unassigned ${Date.now() - sent} ms after unassign_all_devices (host waits 0.9 s)`);
    h.send('quit');
    await h.waitFor('quitting', 3000);
    expect(await h.exited).to.deep.equal({ code: 0, signal: null });
    expect(h.statuses().filter((s) => ['ready', 'device_ready', 'recording_started', 'recording_stopped', 'device_unassigned', 'quitting'].includes(s)))
      .to.deep.equal(['ready', 'device_ready', 'recording_started', 'recording_stopped', 'recording_started', 'recording_stopped', 'device_unassigned', 'quitting']);
    expect(h.statuses()).to.not.include('error');
    expect(h.stderr).to.equal('');
    const folder = path.join(sessionDir, 'Cameras', STABLE_ID);
    const token = path.basename(sessionDir).slice('session_'.length);
    const { ffprobe } = await locatedTools();
    for (const [i, stop] of stops.entries()) {
      const video = String(stop.data['video_path']);
      expect(path.dirname(video)).to.equal(folder);
      expect(path.basename(video)).to.equal(`${token}_CAM_trial00${i + 1}_usb1_1_2.mkv`);
      const check = await checkRecording(ffprobe, stop.data['video_files'] as string[], String(stop.data['timing_path']));
      expect(check.problems).to.deep.equal([]);
      expect(check.rows).to.equal(stop.data['frames_recorded']).and.to.be.greaterThan(20);
    }
  });

  it('answers two commands in one chunk, a command sent during start-up, and a repeated assign', async () => {
    const h = start();
    h.sendRaw(`${JSON.stringify({ command: 'assign_device', ...assign(sessionDir, 'a-1') })}\n`);
    await h.waitFor('ready', 5000);
    await h.waitFor('device_ready', 3000, (l) => l.command_id === 'a-1');
    h.sendRaw(`${JSON.stringify({ command: 'get_status', command_id: 'g-1' })}\n${JSON.stringify({ command: 'record', session_dir: sessionDir, trial_number: 1 })}\n`);
    await h.waitFor('status_report', 3000, (l) => l.command_id === 'g-1');
    await h.waitFor('recording_started', 3000);
    h.send('assign_device', assign(sessionDir, 'a-2'));
    await h.waitFor('device_ready', 3000, (l) => l.command_id === 'a-2');
    expect(h.statuses()).to.not.include('recording_stopped');
    h.send('quit');
    await h.waitFor('quitting', 5000);
  });

  it('answers a malformed line and a refused command without the fatal error status, and keeps working', async () => {
    const h = start();
    await h.waitFor('ready', 5000);
    h.sendRaw('this is not json\n');
    h.send('pause');
    h.send('set_log_level', { level: 'debug', target: 'all' });
    const malformed = await h.waitFor('command_error', 3000);
    expect(malformed.data['message']).to.include('not valid JSON');
    await h.waitFor('command_error', 3000, (l) => l.data['command'] === 'pause');
    await h.waitFor('log_level_changed', 3000);
    expect(h.statuses()).to.not.include('error');
    h.send('quit');
    await h.waitFor('quitting', 3000);
  });

  it('a slow camera still answers within the 3 s of an assign attempt; a dead one gets device_error in time', async () => {
    const wrapper = path.join(root, 'slow-ffmpeg.sh');
    const { ffmpeg } = await locatedTools();
    fs.writeFileSync(wrapper, `#!/bin/sh\ncase "$*" in *lavfi*) sleep "$SLOW_SECONDS";; esac\nexec "${ffmpeg}" "$@"\n`, { mode: 0o755 });
    const slow = start({ ...process.env, CAMERAS_FFMPEG_PATH: wrapper, SLOW_SECONDS: '1' });
    await slow.waitFor('ready', 5000);
    const sent = Date.now();
    slow.send('assign_device', assign(sessionDir, 's-1'));
    await slow.waitFor('device_ready', 3000, (l) => l.command_id === 's-1');
    console.log(`      slow camera: device_ready ${Date.now() - sent} ms after assign`);
    slow.send('quit');
    await slow.waitFor('quitting', 3000);
    await slow.exited;
    const dead = start({ ...process.env, CAMERAS_FFMPEG_PATH: wrapper, SLOW_SECONDS: '10' });
    await dead.waitFor('ready', 5000);
    dead.send('assign_device', assign(sessionDir, 'd-1'));
    const error = await dead.waitFor('device_error', 3000, (l) => l.command_id === 'd-1');
    expect(error.data).to.include({ device_id: `usb:${STABLE_ID}` });
    dead.send('quit');
    await dead.waitFor('quitting', 5000);
  });

  it('finalizes the open trial on SIGTERM and exits', async () => {
    const h = start();
    await h.waitFor('ready', 5000);
    h.send('assign_device', assign(sessionDir, 't-1'));
    await h.waitFor('device_ready', 3000);
    h.send('record', { session_dir: sessionDir, trial_number: 3 });
    const started = await h.waitFor('recording_started', 3000);
    await new Promise((r) => setTimeout(r, 1000));
    h.kill('SIGTERM');
    const exit = await h.exited;
    expect(exit.code).to.equal(0);
    const stopped = await h.waitFor('recording_stopped', 100);
    expect(stopped.data['reason']).to.equal('shutdown');
    const { ffprobe } = await locatedTools();
    const check = await checkRecording(ffprobe, [String(started.data['video_path'])], String(started.data['timing_path']));
    expect(check.problems).to.deep.equal([]);
    expect(check.rows).to.equal(stopped.data['frames_recorded']);
  });
});
