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
    const changes = diffConfig(this.value, next, running);
    const encryption = changes.find((change) => change.key.startsWith('encryption.'));
    if (encryption !== undefined) {
      // The key is loaded and checked once, before ready: a running module never switches between plain and encrypted.
      throw new ModuleError('INVALID_PARAMS', `${encryption.key} is read at start-up only: restart the module to change encryption`, { field: encryption.key });
    }
    return { next, changes };
  }

  commit(next: ResolvedConfig): void {
    this.value = next;
  }
}
