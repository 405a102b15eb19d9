import { ModuleError } from '../errors/codes.js';
import type { CamerasConfig } from '../generated/schema-types.js';
import type { ResolvedConfig } from './config.js';
import { diffConfig, type ConfigChange, type RunningMode } from './config_changes.js';
import { mergeConfig } from './resolve.js';

/** The live configuration of one module instance. */
export class ConfigStore {
  constructor(private value: ResolvedConfig) {}

  get current(): ResolvedConfig {
    return this.value;
  }

  /**
   * Validates the merged result first; nothing changes unless all of it is valid. `running`
   * is the capture mode of the open camera, if any: re-stating it is no mode change.
   */
  preview(patch: CamerasConfig, running: RunningMode | null = null): { next: ResolvedConfig; changes: ConfigChange[] } {
    let next: ResolvedConfig;
    try {
      next = mergeConfig(this.value, patch);
    } catch (err) {
      if (err instanceof ModuleError) throw err;
      throw new ModuleError('INVALID_PARAMS', String(err));
    }
    return { next, changes: diffConfig(this.value, next, running) };
  }

  commit(next: ResolvedConfig): void {
    this.value = next;
  }
}
