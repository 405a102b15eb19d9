import { expect } from 'chai';
import sinon from 'sinon';
import { ModuleBus } from '../../../src/events/module_bus.js';
import { silentLogger } from '../../../src/logging/logger.js';

describe('ModuleBus', () => {
  it('isolates a throwing listener (logged with owner and event) from the others', () => {
    const logger = { ...silentLogger, error: sinon.spy() };
    const bus = new ModuleBus(logger);
    const got: number[] = [];
    bus.on('frames_lost', 'broken', () => { throw new Error('no'); });
    bus.on('frames_lost', 'view', (e) => got.push(e.count));
    bus.emit('frames_lost', { cameraId: 'c', subscriber: 's', count: 3 });
    expect(got).to.deep.equal([3]);
    expect(logger.error.calledOnce).to.equal(true);
    expect(logger.error.firstCall.args[1]).to.include({ owner: 'broken', event: 'frames_lost' });
  });

  it('removes everything an owner registered', () => {
    const bus = new ModuleBus(silentLogger);
    bus.on('disk_state', 'ring', () => undefined);
    bus.on('file_closed', 'ring', () => undefined);
    bus.on('file_closed', 'other', () => undefined);
    bus.removeOwner('ring');
    expect(bus.listenerCount('disk_state')).to.equal(0);
    expect(bus.listenerCount('file_closed')).to.equal(1);
  });
});
