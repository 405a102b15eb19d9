import type { Environment } from '../config/environment.js';
import type { ModuleBus } from '../events/module_bus.js';
import { StatusReporter } from '../events/status_reporter.js';
import type { Logger } from '../logging/logger.js';
import type { ProcessRegistry } from '../process/owned_process.js';
import { AppWindow, type GroupSignaller } from './app_window.js';
import type { IsExecutable } from '../ffmpeg/executable_search.js';
import { locateBrowser } from './browser_locator.js';
import { desktopMissing } from './desktop.js';
import { parseGeometry, sameGeometry, type WindowGeometry } from './geometry.js';
import { ModuleError } from '../errors/codes.js';
import type { WindowPasses } from './window_passes.js';
import type { ModuleWindow, WindowState } from './window_port.js';

export interface WindowRequest {
  /** The host's --window-geometry, as given (WxH+X+Y): where the window should appear. */
  readonly geometry: string;
}

export interface WindowSettings {
  /** view.window: false turns the window off whatever the host asks. */
  readonly enabled: boolean;
  /** view.window_browser: a path or program name; null picks the first Chromium-family browser on PATH. */
  readonly browser: string | null;
}

export interface WindowControllerDeps {
  readonly request: WindowRequest | null;
  readonly settings: WindowSettings;
  readonly environment: Environment;
  readonly registry: ProcessRegistry;
  readonly bus: ModuleBus;
  readonly logger: Logger;
  readonly instanceId: string | null;
  /** Made on first use: the browser profile folder (under the user's cache folder). */
  readonly profileDir: () => string;
  /** Where programs are looked for (default: the real file system). */
  readonly isExecutable?: IsExecutable;
  /** Signals the browser's process group (default: the real one). */
  readonly signalGroup?: GroupSignaller;
}

/** Where the window's page is: the module's own server, and passes when that server wants a token. */
export interface WindowServer {
  readonly url: string;
  readonly passes: WindowPasses | null;
}

/** How many times a browser that died on its own is started again before the window is given up. */
const RESTARTS = 1;
const OWNER = 'window';

/**
 * The module's window, like RPi_Logger's own camera module: the web view in a browser app
 * window at the host's geometry, opened when a camera is ready (unless the host hid it),
 * hidden and shown on the host's commands, its moves reported as geometry_changed so the
 * host keeps the layout. Recording never waits for it and never depends on it.
 */
export class WindowController implements ModuleWindow {
  private unavailable: string | null = 'the window is not prepared yet';
  private browser: string | null = null;
  private server: WindowServer | null = null;
  private hiddenByHost = false;
  private restartsLeft = RESTARTS;
  private lastGeometry: WindowGeometry | null = null;
  /** The host's geometry, or why it could not be read (a window is a convenience: a bad one never stops the module). */
  private readonly requested: WindowGeometry | string | null;
  private failure: string | null = null;
  private readonly window: AppWindow;
  private readonly reporter: StatusReporter;

  constructor(private readonly deps: WindowControllerDeps) {
    this.requested = deps.request === null ? null : readGeometry(deps.request.geometry);
    if (typeof this.requested === 'object') this.lastGeometry = this.requested;
    this.reporter = new StatusReporter(deps.bus);
    this.window = new AppWindow(deps.registry, deps.logger, () => this.onBrowserExit(), deps.signalGroup);
  }

  /** Whether the module should run an HTTP server for the window even with http off (known once prepared). */
  get wanted(): boolean {
    return this.unavailable === null;
  }

  /** Decides, once at start, whether a window can be shown here, and why not. */
  async prepare(): Promise<void> {
    this.unavailable = await this.whyUnavailable();
    if (this.unavailable !== null) return;
    this.deps.bus.on('status', OWNER, (message) => {
      if (message.status === 'device_ready' && !this.hiddenByHost && !this.window.open) void this.open();
    });
  }

  /** The module's server is listening: the window may open. */
  attach(server: WindowServer): void {
    this.server = server;
  }

  state(): WindowState {
    if (this.unavailable !== null) return { available: false, visible: false, geometry: null, reason: this.unavailable };
    const visible = this.window.open;
    return { available: true, visible, geometry: this.lastGeometry, reason: visible ? null : this.failure ?? 'hidden' };
  }

  async show(): Promise<WindowState> {
    this.hiddenByHost = false;
    if (this.unavailable === null && !this.window.open) {
      this.restartsLeft = RESTARTS;
      await this.open();
    }
    return this.state();
  }

  async hide(): Promise<WindowState> {
    this.hiddenByHost = true;
    await this.window.close();
    return this.state();
  }

  /** The page reports where its window is (screenX/Y, outerWidth/Height); a move the user made goes to the host. */
  noteGeometry(geometry: WindowGeometry): void {
    if (this.unavailable !== null || sameGeometry(this.lastGeometry, geometry)) return;
    this.lastGeometry = geometry;
    this.reportGeometry();
  }

  async beforeQuit(): Promise<void> {
    if (this.unavailable === null) this.reportGeometry();
    await this.close();
  }

  async close(): Promise<void> {
    this.deps.bus.removeOwner(OWNER);
    await this.window.close();
  }

  private reportGeometry(): void {
    const g = this.lastGeometry;
    if (!g) return;
    this.reporter.report('geometry_changed', { x: g.x, y: g.y, width: g.width, height: g.height, instance_id: this.deps.instanceId });
  }

  private async whyUnavailable(): Promise<string | null> {
    if (!this.deps.settings.enabled) return 'the window is turned off (view.window is false)';
    if (this.requested === null) return 'the host asked for no window (no --window-geometry)';
    if (typeof this.requested === 'string') return this.requested;
    const noDesktop = desktopMissing(this.deps.environment);
    if (noDesktop) return noDesktop;
    const found = await locateBrowser(this.deps.settings.browser, this.deps.environment['PATH'], this.deps.isExecutable);
    if ('missing' in found) return found.missing;
    this.browser = found.path;
    return null;
  }

  private async open(): Promise<void> {
    const server = this.server;
    const requested = this.requested;
    if (!server || !this.browser || requested === null || typeof requested === 'string') {
      this.failure = 'the module\'s view server is not running';
      return;
    }
    const query = new URLSearchParams({ window: '1' });
    if (server.passes) query.set('window_pass', server.passes.issue());
    this.failure = null;
    this.window.start({
      browser: this.browser, url: `${server.url}/?${query.toString()}`, geometry: this.lastGeometry ?? requested,
      profileDir: this.deps.profileDir(),
    });
  }

  private onBrowserExit(): void {
    if (this.hiddenByHost) return;
    if (this.restartsLeft > 0) {
      this.restartsLeft -= 1;
      void this.open();
      return;
    }
    this.failure = 'the browser exited on its own twice; show_window opens it again';
  }
}

function readGeometry(text: string): WindowGeometry | string {
  try {
    return parseGeometry(text);
  } catch (err) {
    return err instanceof ModuleError ? err.message : String(err);
  }
}
