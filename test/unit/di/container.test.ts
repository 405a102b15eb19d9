import { expect } from 'chai';
import type { InjectionToken } from 'tsyringe';
import { createModuleContainer } from '../../../src/di/container.js';
import { TOKENS, type TokenName } from '../../../src/di/tokens.js';
import { CamerasRuntime } from '../../../src/bridge/runtime.js';
import { FakeDeviceProbe } from '../../helpers/fakes.js';

describe('DI container', () => {
  it('resolves every registered token, and the runtime from them', () => {
    const container = createModuleContainer({});
    for (const name of Object.keys(TOKENS) as TokenName[]) {
      const token = TOKENS[name] as InjectionToken<unknown>;
      expect(container.isRegistered(token), name).to.equal(true);
      expect(container.resolve(token), name).to.not.equal(undefined);
    }
    expect(container.resolve(CamerasRuntime)).to.be.instanceOf(CamerasRuntime);
  });

  it('gives each module instance its own child container and its own singletons', () => {
    const a = createModuleContainer({});
    const b = createModuleContainer({});
    expect(a.resolve(TOKENS.ProcessRegistry)).to.equal(a.resolve(TOKENS.ProcessRegistry));
    expect(a.resolve(TOKENS.ProcessRegistry)).to.not.equal(b.resolve(TOKENS.ProcessRegistry));
    expect(a.resolve(TOKENS.ConfigStore)).to.not.equal(b.resolve(TOKENS.ConfigStore));
  });

  it('lets a host or a test replace any part', () => {
    const probe = new FakeDeviceProbe();
    const container = createModuleContainer({ overrides: { DeviceProbe: probe } });
    expect(container.resolve(TOKENS.DeviceProbe)).to.equal(probe);
  });

  it('rejects an invalid configuration with the field named', () => {
    expect(() => createModuleContainer({ config: { record: { fps: 0 } } }))
      .to.throw(/record\.fps/);
  });
});
