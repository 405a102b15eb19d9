import { PassThrough, Readable } from 'node:stream';
import { expect } from 'chai';
import { fitLine, MAX_LINE_BYTES } from '../../../src/stdio/line_limit.js';
import { shortenString } from '../../../src/stdio/shorten_strings.js';
import { serveStdio } from '../../../src/stdio/serve.js';

type Line = { status: string; command_id?: string; data: Record<string, unknown> };

describe('stdout line limit keeps what an error is about', function () {
  this.timeout(30_000);

  it('shortens long strings with a visible marker instead of dropping code, error, command and command_id', () => {
    const id = 'i'.repeat(70_000);
    const wire = { type: 'status', status: 'error', timestamp: 't', command_id: id, data: { command: 'get_status', error: `get_status: bad ${'e'.repeat(80_000)}`, code: -1002, recoverable: true, field: 'command_id' } };
    const line = fitLine(wire);
    expect(Buffer.byteLength(line)).to.be.at.most(MAX_LINE_BYTES);
    const parsed = JSON.parse(line) as Line;
    expect(parsed.data).to.include({ command: 'get_status', code: -1002, recoverable: true, field: 'command_id' });
    expect(String(parsed.data['error'])).to.match(/^get_status: bad e+…\[truncated \d+ chars\]$/);
    expect(parsed.command_id).to.match(/^i+…\[truncated \d+ chars\]$/);
    expect(parsed.command_id?.startsWith('i'.repeat(64))).to.equal(true);
  });

  it('never cuts a character in half', () => {
    expect(shortenString('ab😀cd', 3)).to.equal('ab…[truncated 4 chars]');
    expect(shortenString('short', 10)).to.equal('short');
  });

  it('serve --stdio answers get_status with a 70,000-character command_id by an error that keeps its code, message and a shortened command_id', async () => {
    const id = 'c'.repeat(70_000);
    const input = Readable.from([`{"command":"get_status","command_id":"${id}"}\n`]);
    const output = new PassThrough();
    let out = '';
    output.on('data', (d: Buffer) => { out += d.toString(); });
    expect(await serveStdio({ input, output, errorOutput: new PassThrough() })).to.equal(0);
    const lines = out.split('\n').filter(Boolean);
    for (const line of lines) expect(Buffer.byteLength(line)).to.be.at.most(MAX_LINE_BYTES);
    const error = lines.map((l) => JSON.parse(l) as Line).find((l) => l.status === 'error');
    expect(error?.data).to.include({ command: 'get_status', code: -1002, field: 'command_id' });
    expect(String(error?.data['error'])).to.include('256');
    expect(error?.command_id).to.match(/^c+…\[truncated \d+ chars\]$/);
  });
});
