import type { CamerasRuntime } from './bridge/runtime.js';
import type { ModuleHandle } from './host/contract.js';
import type { ModuleBus } from './events/module_bus.js';
import type { FrameSink, SubscribeOptions } from './camera_core/frame_hub.js';

/** A handle that also exposes the runtime, for hosts in this package (stdio, demo) and tests. */
export interface CamerasModuleHandle extends ModuleHandle {
  readonly runtime: CamerasRuntime;
  /** The internal bus: statuses and domain events (frames lost, files closed, capture errors, disk state). */
  readonly events: ModuleBus;
  /**
   * A tap on the camera's frame hub: sink gets every frame (or as options limit), in its own
   * bounded queue, across capture restarts and reconnects, until the returned function is called.
   */
  tapFrames(name: string, sink: FrameSink, options?: SubscribeOptions): () => void;
}
