import type { WindowGeometry } from './geometry.js';

/** What show_window, hide_window and get_geometry answer from. */
export interface WindowState {
  /** Whether this module can show a window here at all (desktop, browser, host's request). */
  readonly available: boolean;
  readonly visible: boolean;
  /** Where the window is (as the window last reported it), or where the host asked for it. */
  readonly geometry: WindowGeometry | null;
  /** Why no window is available or visible; null when it shows. */
  readonly reason: string | null;
}

/** The module's window, as command handlers see it. */
export interface WindowPort {
  state(): WindowState;
  /** Opens the window (or leaves it open); hosts may send it at any time. */
  show(): Promise<WindowState>;
  /** Closes the window; capture and recording go on. */
  hide(): Promise<WindowState>;
  /** Right before quitting: the host keeps the layout from a last geometry_changed. */
  beforeQuit(): Promise<void>;
}

/** The module's side of its window: what the module factory and the HTTP server need besides the handlers. */
export interface ModuleWindow extends WindowPort {
  /** Whether the module should run its view server for the window even with http off. */
  readonly wanted: boolean;
  /** Decides once, at start, whether a window can be shown here. */
  prepare(): Promise<void>;
  /** The view server listens: the window may open now. */
  attach(server: { readonly url: string; readonly passes: import('./window_passes.js').WindowPasses | null }): void;
  /** The window's page says where it is now. */
  noteGeometry(geometry: WindowGeometry): void;
  /** Closes the window for good (module shutdown). */
  close(): Promise<void>;
}

/** A module that draws no window (no desktop, no browser, or the host asked for none). */
export class NoWindow implements WindowPort {
  constructor(private readonly reason: string) {}

  state(): WindowState {
    return { available: false, visible: false, geometry: null, reason: this.reason };
  }

  async show(): Promise<WindowState> {
    return this.state();
  }

  async hide(): Promise<WindowState> {
    return this.state();
  }

  async beforeQuit(): Promise<void> {
    // Nothing to report: the host gets no geometry from a module without a window.
  }
}
