import type { HandlerDeps } from './handler_deps.js';
import type { WindowState } from '../window/window_port.js';

type Deps = Pick<HandlerDeps, 'reporter' | 'window' | 'instanceId'>;

/** The host's window commands (RPi_Logger's GUI): each answered the way its own camera module answers. */
export class WindowHandlers {
  constructor(private readonly deps: Deps) {}

  async show(): Promise<void> {
    const state = await this.deps.window.show();
    if (!state.available || !state.geometry) return this.reportUnavailable(state);
    this.deps.reporter.report('window_shown', { geometry: state.geometry, instance_id: this.deps.instanceId });
  }

  async hide(): Promise<void> {
    const state = await this.deps.window.hide();
    if (!state.available) return this.reportUnavailable(state);
    this.deps.reporter.report('window_hidden', { instance_id: this.deps.instanceId });
  }

  getGeometry(): void {
    const state = this.deps.window.state();
    if (!state.available || !state.geometry) return this.reportUnavailable(state);
    const { x, y, width, height } = state.geometry;
    this.deps.reporter.report('geometry_changed', { x, y, width, height, instance_id: this.deps.instanceId });
  }

  private reportUnavailable(state: WindowState): void {
    this.deps.reporter.report('window_state', {
      available: state.available, visible: state.visible, geometry: state.geometry, reason: state.reason ?? 'no window',
    });
  }
}
