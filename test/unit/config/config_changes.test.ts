import { expect } from 'chai';
import { ConfigStore } from '../../../src/config/config_store.js';
import { diffConfig } from '../../../src/config/config_changes.js';
import { resolveConfig } from '../../../src/config/resolve.js';

describe('config changes: only a different value is a change', () => {
  const running = { width: 640, height: 480, fps: 30 };

  it('re-stating the mode the camera runs in on its own choice (record.* open) is no change', () => {
    const store = new ConfigStore(resolveConfig({}));
    const { changes } = store.preview({ record: { width: 640, height: 480, fps: 30 } }, running);
    expect(changes).to.deep.equal([]);
  });

  it('a different mode is still a restart_capture change, with or without a running mode', () => {
    const store = new ConfigStore(resolveConfig({}));
    expect(store.preview({ record: { width: 320, height: 240 } }, running).changes.map((c) => [c.key, c.effect]))
      .to.deep.equal([['record.width', 'restart_capture'], ['record.height', 'restart_capture']]);
    expect(store.preview({ record: { fps: 15 } }, running).changes.map((c) => c.key)).to.deep.equal(['record.fps']);
    expect(store.preview({ record: { width: 640 } }).changes.map((c) => c.key)).to.deep.equal(['record.width']);
  });

  it('re-stating configured values is no change; opening a configured mode again is one', () => {
    const configured = resolveConfig({ record: { width: 640, height: 480, fps: 30 }, guard: { disk_free_gb_min: 2 } });
    const same = resolveConfig({ record: { width: 640, height: 480, fps: 30 }, guard: { disk_free_gb_min: 2 } });
    expect(diffConfig(configured, same, running)).to.deep.equal([]);
    const open = resolveConfig({ record: {}, guard: { disk_free_gb_min: 2 } });
    // null means "the camera's largest mode", which need not be what runs now.
    expect(diffConfig(configured, open, running).map((c) => c.key)).to.deep.equal(['record.width', 'record.height', 'record.fps']);
  });
});
