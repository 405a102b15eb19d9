import { expect } from 'chai';
import { parseGeometry } from '../../../src/window/geometry.js';
import { APP_MODE_BROWSERS, locateBrowser } from '../../../src/window/browser_locator.js';
import { appWindowArgs } from '../../../src/window/browser_args.js';
import { WindowPasses } from '../../../src/window/window_passes.js';
import { WindowController, type WindowControllerDeps } from '../../../src/window/window_controller.js';
import { ProcessRegistry } from '../../../src/process/owned_process.js';
import { ModuleBus } from '../../../src/events/module_bus.js';
import type { StatusMessage } from '../../../src/events/statuses.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeSpawner } from '../../helpers/fake_spawner.js';

const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('window geometry from the host', () => {
  it('reads WxH+X+Y, negative offsets too, and keeps a window usable', () => {
    expect(parseGeometry('640x480+100+50')).to.deep.equal({ x: 100, y: 50, width: 640, height: 480 });
    expect(parseGeometry('800x600-20+0')).to.deep.equal({ x: -20, y: 0, width: 800, height: 600 });
    expect(parseGeometry('10x10+0+0')).to.deep.equal({ x: 0, y: 0, width: 200, height: 150 });
  });

  it('refuses anything else, naming the form it wants', () => {
    for (const bad of ['640x480', '640*480+0+0', 'x+1+1', '640x480+1+1; rm -rf /', '']) {
      expect(() => parseGeometry(bad), bad).to.throw(/WIDTHxHEIGHT\+X\+Y/);
    }
  });
});

describe('the browser for the window', () => {
  const only = (...files: string[]) => async (file: string): Promise<boolean> => files.includes(file);

  it('takes the first Chromium-family browser on PATH', async () => {
    expect(await locateBrowser(null, '/a:/b', only('/b/chromium', '/a/google-chrome'))).to.deep.equal({ path: '/b/chromium' });
    expect(await locateBrowser(null, '/a', only('/a/google-chrome'))).to.deep.equal({ path: '/a/google-chrome' });
  });

  it('takes view.window_browser as a path or a name, and says which was not found', async () => {
    expect(await locateBrowser('/opt/b/brave', '/a', only('/opt/b/brave'))).to.deep.equal({ path: '/opt/b/brave' });
    expect(await locateBrowser('brave-browser', '/a', only('/a/brave-browser'))).to.deep.equal({ path: '/a/brave-browser' });
    const missing = await locateBrowser('/opt/none', '/a', only());
    expect('missing' in missing && missing.missing).to.contain("view.window_browser '/opt/none'");
    const none = await locateBrowser(null, '/a', only());
    expect('missing' in none && none.missing).to.contain(APP_MODE_BROWSERS.join(', '));
  });

  it('opens an app window at the geometry in its own profile, with the sandbox off only for root', () => {
    const args = appWindowArgs('http://127.0.0.1:1/?window=1', { x: 5, y: 6, width: 640, height: 480 }, '/p', false);
    expect(args).to.include.members(['--app=http://127.0.0.1:1/?window=1', '--window-position=5,6', '--window-size=640,480', '--user-data-dir=/p', '--no-first-run', '--disable-sync', '--disable-extensions']);
    expect(args).to.not.include('--no-sandbox');
    expect(appWindowArgs('u', { x: 0, y: 0, width: 1, height: 1 }, '/p', true)).to.include('--no-sandbox');
  });
});

describe('window passes', () => {
  it('let the window in once, and never after a minute', () => {
    const passes = new WindowPasses();
    const pass = passes.issue(1000);
    expect(passes.redeem('wrong', 1001)).to.equal(false);
    expect(passes.redeem(pass, 1001)).to.equal(true);
    expect(passes.redeem(pass, 1002), 'used up').to.equal(false);
    const late = passes.issue(0);
    expect(passes.redeem(late, 61_000)).to.equal(false);
    expect(passes.redeem(null)).to.equal(false);
  });
});

describe('WindowController (fake browser process)', () => {
  let spawner: FakeSpawner;
  let bus: ModuleBus;
  let statuses: StatusMessage[];
  let signalled: Array<[number | undefined, string]>;

  const controller = (over: Partial<WindowControllerDeps> = {}): WindowController => new WindowController({
    request: { geometry: '640x480+100+50' }, settings: { enabled: true, browser: null },
    environment: { DISPLAY: ':9', PATH: '/usr/bin' }, registry: new ProcessRegistry(spawner), bus, logger: silentLogger,
    instanceId: 'CAMERAS:usb:1-2', profileDir: () => '/profile', isExecutable: async (file) => file === '/usr/bin/chromium',
    signalGroup: (pid, signal) => { signalled.push([pid, signal]); }, ...over,
  });

  beforeEach(() => {
    spawner = new FakeSpawner(() => ({ running: true }));
    bus = new ModuleBus(silentLogger);
    statuses = [];
    signalled = [];
    bus.on('status', 'test', (message) => statuses.push(message));
  });

  it('says why it cannot show a window: no desktop, no request, turned off, bad geometry, no browser', async () => {
    const cases: Array<[Partial<WindowControllerDeps>, string]> = [
      [{ environment: { PATH: '/usr/bin' } }, 'DISPLAY'],
      [{ request: null }, 'no --window-geometry'],
      [{ settings: { enabled: false, browser: null } }, 'view.window is false'],
      [{ request: { geometry: 'big' } }, 'WIDTHxHEIGHT+X+Y'],
      [{ isExecutable: async () => false }, 'no browser for the window'],
    ];
    for (const [over, reason] of cases) {
      const window = controller(over);
      await window.prepare();
      expect(window.wanted).to.equal(false);
      expect(window.state()).to.deep.include({ available: false, visible: false, geometry: null });
      expect(window.state().reason).to.contain(reason);
      expect((await window.show()).available).to.equal(false);
    }
    expect(spawner.calls).to.deep.equal([]);
  });

  it('opens when the camera is ready, through a one-time pass, and hides and shows on the host\'s word', async () => {
    const window = controller();
    await window.prepare();
    const passes = new WindowPasses();
    window.attach({ url: 'http://127.0.0.1:4000', passes });
    bus.emit('status', { status: 'device_ready', data: {}, timestamp: 't' } as unknown as StatusMessage);
    await settle();
    expect(spawner.calls).to.have.length(1);
    const app = spawner.calls[0]?.args.find((a) => a.startsWith('--app='));
    const pass = new URL((app as string).slice('--app='.length)).searchParams.get('window_pass');
    expect(passes.redeem(pass), 'the pass lets the window in').to.equal(true);
    expect(window.state()).to.deep.equal({ available: true, visible: true, geometry: { x: 100, y: 50, width: 640, height: 480 }, reason: null });
    await window.hide();
    expect(window.state().visible).to.equal(false);
    expect(signalled.map(([, s]) => s)).to.include('SIGTERM');
    bus.emit('status', { status: 'device_ready', data: {}, timestamp: 't' } as unknown as StatusMessage);
    await settle();
    expect(spawner.calls, 'hidden by the host: a camera coming back does not reopen it').to.have.length(1);
    await window.show();
    expect(spawner.calls).to.have.length(2);
    await window.close();
  });

  it('starts a browser that died on its own once more, then gives up until show_window', async () => {
    const window = controller();
    await window.prepare();
    window.attach({ url: 'http://127.0.0.1:4000', passes: null });
    await window.show();
    spawner.children[0]?.kill('SIGKILL');
    await settle(700);
    expect(spawner.calls).to.have.length(2);
    expect(window.state().visible).to.equal(true);
    spawner.children[1]?.kill('SIGKILL');
    await settle(700);
    expect(spawner.calls).to.have.length(2);
    expect(window.state()).to.deep.include({ available: true, visible: false });
    expect(window.state().reason).to.contain('exited on its own twice');
    await window.show();
    expect(spawner.calls).to.have.length(3);
    await window.close();
  });

  it('reports where the user moved the window, and the layout once more before quitting', async () => {
    const window = controller();
    await window.prepare();
    window.attach({ url: 'http://127.0.0.1:4000', passes: null });
    await window.show();
    window.noteGeometry({ x: 100, y: 50, width: 640, height: 480 });
    expect(statuses.filter((s) => s.status === 'geometry_changed'), 'no move, no status').to.deep.equal([]);
    window.noteGeometry({ x: 300, y: 60, width: 700, height: 500 });
    await window.beforeQuit();
    const moves = statuses.filter((s) => s.status === 'geometry_changed').map((s) => s.data);
    expect(moves).to.deep.equal([
      { x: 300, y: 60, width: 700, height: 500, instance_id: 'CAMERAS:usb:1-2' },
      { x: 300, y: 60, width: 700, height: 500, instance_id: 'CAMERAS:usb:1-2' },
    ]);
    expect(window.state().visible).to.equal(false);
  });
});
