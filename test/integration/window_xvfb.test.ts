import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { FakeRpiHost } from '../helpers/fake_rpi_host.js';
import { listWindows, startXvfb, windowPixels, xvfbMissing, type VirtualDisplay, type XWindow } from '../helpers/xvfb.js';
import { chromiumMissing } from '../browser/helpers/chromium.js';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';

const BIN = path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js');
const CAMERA_NAME = 'Lab Cam 7';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | null | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Browser processes started with this profile folder: the window's, and only ever the window's. */
function browsersWithProfile(profileRoot: string): string[] {
  const result = spawnSync('pgrep', ['-af', profileRoot], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line.trim().length > 0 && !line.includes('pgrep'));
}

const assign = (sessionDir: string) => ({
  command_id: 'CAMERAS:usb:usb1-1-7:1', device_id: 'usb:usb1-1-7', device_type: 'USB_Camera', session_dir: sessionDir,
  is_camera: true, camera_type: 'usb', camera_stable_id: 'usb1-1-7', camera_dev_path: 'synthetic:640x480@30',
  camera_hw_model: CAMERA_NAME, camera_index: 0, display_name: `USB:${CAMERA_NAME}`,
});

/** Distinct pixel values in the upper part of the window, where the picture is: a blank window has one or two. */
function pictureOf(display: string, window: XWindow): { pixels: Buffer; distinct: number } {
  const shot = windowPixels(display, window.id);
  const pictureRows = shot.pixels.subarray(0, Math.floor(shot.pixels.length * 0.6));
  const seen = new Set<number>();
  for (let i = 0; i + 4 <= pictureRows.length && seen.size < 1000; i += 4 * 97) seen.add(pictureRows.readUInt32LE(i) & 0xffffff);
  return { pixels: pictureRows, distinct: seen.size };
}

/**
 * The module under RPi_Logger's GUI: started as the host starts it, with --window-geometry,
 * on a real (virtual) X display with Debian's chromium as the window's browser.
 */
describe('the module\'s window on a desktop (Xvfb, chromium, the host\'s argv)', function () {
  this.timeout(90_000);
  let xvfb: VirtualDisplay;
  let root: string;
  let host: FakeRpiHost | null = null;

  before(async function () {
    const missing = xvfbMissing() ?? chromiumMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    xvfb = await startXvfb();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-window-'));
  });
  after(async () => {
    host?.kill('SIGKILL');
    await host?.exited;
    await xvfb?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  function start(env: NodeJS.ProcessEnv): FakeRpiHost {
    const sessionDir = path.join(root, 'session_20260101_120000');
    fs.mkdirSync(sessionDir, { recursive: true });
    host = new FakeRpiHost(process.execPath, [BIN, 'serve', '--output-dir', sessionDir, '--session-prefix', 'session', '--log-level', 'info',
      '--no-console', '--enable-commands', '--instance-id', 'CAMERAS:usb:usb1-1-7', '--window-geometry', '640x480+100+50',
      '--platform', 'linux', '--architecture', 'x86_64'], env);
    return host;
  }

  it('opens the view at the host\'s geometry, hides, shows, reports geometry, and leaves nothing behind', async () => {
    const cache = path.join(root, 'cache');
    const h = start({ ...process.env, DISPLAY: xvfb.display, XDG_CACHE_HOME: cache });
    const ready = await h.waitFor('ready', 10_000);
    expect(ready.data['http_url'], 'a view server of its own for the window').to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    h.send('assign_device', assign(path.join(root, 'session_20260101_120000')));
    await h.waitFor('device_ready', 10_000);

    const titled = (w: XWindow): boolean => w.title.startsWith(CAMERA_NAME);
    const window = await until('the window', () => listWindows(xvfb.display).find(titled), 20_000);
    expect({ x: window.x, y: window.y, width: window.width, height: window.height }).to.deep.equal({ x: 100, y: 50, width: 640, height: 480 });
    expect(window.title).to.equal(`${CAMERA_NAME} — cameras-usb2`);
    const first = await until('a picture in the window', () => {
      const shot = pictureOf(xvfb.display, window);
      return shot.distinct > 20 ? shot : null;
    }, 15_000);
    await sleep(1000);
    const second = pictureOf(xvfb.display, window);
    expect(second.pixels.equals(first.pixels), 'the picture changes').to.equal(false);

    h.send('get_geometry', { command_id: 'g1' });
    const geometry = await h.waitFor('geometry_changed', 3000, (l) => l.command_id === 'g1');
    expect(geometry.data).to.deep.equal({ x: 100, y: 50, width: 640, height: 480, instance_id: 'CAMERAS:usb:usb1-1-7' });

    h.send('hide_window', { command_id: 'h1' });
    await h.waitFor('window_hidden', 5000, (l) => l.command_id === 'h1');
    await until('the window gone', () => !listWindows(xvfb.display).some(titled), 5000);
    expect(browsersWithProfile(cache), 'no browser while hidden').to.deep.equal([]);
    // Capture and recording go on without the window.
    h.send('record', { session_dir: path.join(root, 'session_20260101_120000'), trial_number: 1 });
    await h.waitFor('recording_started', 5000);
    await sleep(1000);
    h.send('pause');
    const stopped = await h.waitFor('recording_stopped', 5000);
    expect(Number(stopped.data['frames_recorded'] ?? stopped.data['frame_count'] ?? 0)).to.be.greaterThan(10);

    h.send('show_window', { command_id: 's1' });
    const shown = await h.waitFor('window_shown', 5000, (l) => l.command_id === 's1');
    expect(shown.data['geometry']).to.deep.equal({ x: 100, y: 50, width: 640, height: 480 });
    await until('the window back', () => listWindows(xvfb.display).find(titled), 20_000);

    // A browser that dies on its own is started again, once.
    const [browser] = browsersWithProfile(cache).map((line) => Number(line.split(' ')[0]));
    expect(browser, 'the window\'s browser').to.be.a('number');
    process.kill(-(browser as number), 'SIGKILL');
    await until('the window gone after the kill', () => !listWindows(xvfb.display).some(titled), 5000);
    await until('the window restarted', () => listWindows(xvfb.display).find(titled), 20_000);

    h.send('unassign_all_devices', { command_id: 'shutdown-1' });
    await h.waitFor('device_unassigned', 5000);
    const before = h.lines.length;
    h.send('quit');
    await h.waitFor('quitting', 10_000);
    expect(await h.exited).to.deep.equal({ code: 0, signal: null });
    const last = h.lines.slice(before).map((l) => l.status);
    expect(last.indexOf('geometry_changed'), 'the layout reported before quitting').to.be.within(0, last.indexOf('quitting') - 1);
    await until('no window left', () => !listWindows(xvfb.display).some(titled), 5000);
    expect(browsersWithProfile(cache), 'no browser process left').to.deep.equal([]);
    expect(h.statuses()).to.not.include('error');
  });

  it('says why there is no window on a machine with no display, and records all the same', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(root, 'cache2') };
    delete env['DISPLAY'];
    delete env['WAYLAND_DISPLAY'];
    const h = start(env);
    const ready = await h.waitFor('ready', 10_000);
    expect(ready.data['http_url'], 'no server started for a window that cannot be').to.equal(null);
    h.send('show_window', { command_id: 's1' });
    const state = await h.waitFor('window_state', 3000, (l) => l.command_id === 's1');
    expect(state.data).to.deep.include({ available: false, visible: false, geometry: null });
    expect(state.data['reason']).to.contain('DISPLAY');
    h.send('assign_device', assign(path.join(root, 'session_20260101_120000')));
    await h.waitFor('device_ready', 10_000);
    h.send('record', { session_dir: path.join(root, 'session_20260101_120000'), trial_number: 2 });
    await h.waitFor('recording_started', 5000);
    h.send('pause');
    await h.waitFor('recording_stopped', 5000);
    h.send('quit');
    await h.waitFor('quitting', 10_000);
    expect(h.statuses()).to.not.include('geometry_changed');
    expect(await h.exited).to.deep.equal({ code: 0, signal: null });
  });
});
