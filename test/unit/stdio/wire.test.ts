import { expect } from 'chai';
import { decodeLine, encodeStatus } from '../../../src/stdio/wire.js';

describe('stdio wire format', () => {
  it('splits {"command", ...params} into a name and top-level parameters', () => {
    expect(decodeLine('{"command":"record","trial_number":2,"command_id":"a"}')).to.deep.equal({
      kind: 'command', name: 'record', payload: { trial_number: 2, command_id: 'a' },
    });
  });

  it('names what is wrong with a line that is not a command', () => {
    expect(decodeLine('garbage')).to.deep.equal({ kind: 'invalid', problem: 'line is not valid JSON: garbage' });
    expect(decodeLine('[1,2]')).to.deep.equal({ kind: 'invalid', problem: 'line must be a JSON object, got an array' });
    expect(decodeLine('null')).to.deep.equal({ kind: 'invalid', problem: 'line must be a JSON object, got null' });
    expect(decodeLine('42')).to.deep.equal({ kind: 'invalid', problem: 'line must be a JSON object, got number' });
    expect(decodeLine('{"cmd":"x"}')).to.deep.equal({ kind: 'invalid', problem: "missing field 'command' (a non-empty string)" });
    expect(decodeLine(`{${'x'.repeat(200)}`)).to.have.property('problem').that.has.length.below(140);
  });

  it('writes statuses as {"type":"status",...} with command_id only when there is one', () => {
    const line = encodeStatus({ status: 'quitting', data: {}, timestamp: '2026-01-01T00:00:00.000Z' });
    expect(JSON.parse(line)).to.deep.equal({ type: 'status', status: 'quitting', timestamp: '2026-01-01T00:00:00.000Z', data: {} });
    const withId = encodeStatus({ status: 'quitting', data: {}, timestamp: 't', command_id: 'q1' });
    expect(JSON.parse(withId)).to.have.property('command_id', 'q1');
  });
});
