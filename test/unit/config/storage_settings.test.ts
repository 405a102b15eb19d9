import { expect } from 'chai';
import { EventEmitter } from 'eventemitter3';
import { resolveStartupConfig } from '../../../src/config/environment.js';
import { resolveConfig } from '../../../src/config/resolve.js';
import { rotationFrom } from '../../../src/storage/rotation.js';
import { createCamerasModule } from '../../../src/module_factory.js';
import type { HostBusEvents } from '../../../src/host/contract.js';
import type { ModuleError } from '../../../src/errors/codes.js';

function thrown(fn: () => unknown): ModuleError {
  try {
    fn();
  } catch (err) {
    return err as ModuleError;
  }
  throw new Error('expected an error');
}

describe('storage thresholds and rotation settings', () => {
  it('defaults to warn 80 %, block 90 %, rotation every 30 minutes', () => {
    const config = resolveConfig({});
    expect(config.guard).to.include({ storage_warn_percent: 80, storage_block_percent: 90, disk_free_gb_min: 1 });
    expect(config.storage).to.include({ rotation_minutes: 30, rotation_seconds: null });
    expect(rotationFrom(config)).to.deep.equal({ intervalSeconds: 1800 });
    expect(rotationFrom(resolveConfig({ storage: { rotation_seconds: 2 } }))).to.deep.equal({ intervalSeconds: 2 });
  });

  it('refuses warn at or above block, naming the config field', () => {
    const error = thrown(() => resolveConfig({ guard: { storage_warn_percent: 90, storage_block_percent: 90 } }));
    expect(error.kind).to.equal('INVALID_PARAMS');
    expect(error.field).to.equal('guard.storage_warn_percent');
    expect(error.message).to.include('guard.storage_warn_percent (90) must be less than guard.storage_block_percent (90)');
  });

  it('refuses percentages outside 1..100 and rotation outside 1..1440 minutes', () => {
    expect(thrown(() => resolveConfig({ guard: { storage_block_percent: 101 } })).field).to.equal('guard.storage_block_percent');
    expect(thrown(() => resolveConfig({ guard: { storage_warn_percent: 0 } })).field).to.equal('guard.storage_warn_percent');
    expect(thrown(() => resolveConfig({ storage: { rotation_minutes: 1441 } })).field).to.equal('storage.rotation_minutes');
    expect(thrown(() => resolveConfig({ guard: { storage_warn_percent: 50.5 } })).field).to.equal('guard.storage_warn_percent');
  });

  it('lets STORAGE_WARN_PERCENT, STORAGE_BLOCK_PERCENT and RECORDING_ROTATION_MINUTES override the config', () => {
    const config = resolveStartupConfig(
      { guard: { storage_warn_percent: 60 }, storage: { rotation_minutes: 5, rotation_seconds: 3 } },
      { STORAGE_WARN_PERCENT: '70', STORAGE_BLOCK_PERCENT: ' 95 ', RECORDING_ROTATION_MINUTES: '10', UNRELATED: 'x' },
    );
    expect(config.guard).to.include({ storage_warn_percent: 70, storage_block_percent: 95 });
    expect(config.storage).to.include({ rotation_minutes: 10, rotation_seconds: null });
    expect(resolveStartupConfig({}, { STORAGE_WARN_PERCENT: '' }).guard.storage_warn_percent).to.equal(80);
  });

  it('names the variable when its value is no integer in range', () => {
    for (const [variable, value] of [['STORAGE_WARN_PERCENT', 'abc'], ['STORAGE_BLOCK_PERCENT', '0'], ['STORAGE_BLOCK_PERCENT', '100.5'], ['RECORDING_ROTATION_MINUTES', '1441']] as const) {
      const error = thrown(() => resolveStartupConfig({}, { [variable]: value }));
      expect(error.field, `${variable}=${value}`).to.equal(variable);
      expect(error.message).to.match(new RegExp(`^${variable} must be an integer from \\d+ to \\d+ \\(got '${value.replace('.', '\\.')}'\\)$`));
    }
  });

  it('names the variable, not the field it feeds, when warn is not below block', () => {
    const fromEnvironment = thrown(() => resolveStartupConfig({}, { STORAGE_WARN_PERCENT: '95' }));
    expect(fromEnvironment.field).to.equal('STORAGE_WARN_PERCENT');
    expect(fromEnvironment.message).to.include('STORAGE_WARN_PERCENT (95) must be less than guard.storage_block_percent (90)');
    const mixed = thrown(() => resolveStartupConfig({ guard: { storage_warn_percent: 85 } }, { STORAGE_BLOCK_PERCENT: '85' }));
    expect(mixed.field).to.equal('guard.storage_warn_percent');
    expect(mixed.message).to.include('guard.storage_warn_percent (85) must be less than STORAGE_BLOCK_PERCENT (85)');
  });

  it('stops the module at start-up on a bad variable, before anything runs', () => {
    const error = thrown(() => createCamerasModule(
      { bus: new EventEmitter<HostBusEvents>(), onStatus: () => undefined, config: {} },
      { environment: { STORAGE_BLOCK_PERCENT: '70' } },
    ));
    expect(error.kind).to.equal('INVALID_PARAMS');
    expect(error.message).to.include('must be less than STORAGE_BLOCK_PERCENT (70)');
  });
});
