import { PassThrough, Readable } from 'node:stream';
import { expect } from 'chai';
import { BoundedLineSplitter, DEFAULT_MAX_INPUT_LINE_BYTES } from '../../../src/stdio/bounded_lines.js';
import { serveStdio } from '../../../src/stdio/serve.js';

const MB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** `head`, then `fillerBytes` of 'a' made chunk by chunk (never held whole), then `tail`. */
function* hugeLine(head: string, fillerBytes: number, tail: string): Generator<Buffer> {
  yield Buffer.from(head);
  const filler = Buffer.alloc(CHUNK, 0x61);
  for (let sent = 0; sent < fillerBytes; sent += CHUNK) yield filler.subarray(0, Math.min(CHUNK, fillerBytes - sent));
  yield Buffer.from(tail);
}

describe('stdin line cap', function () {
  this.timeout(60_000);

  it('skips a 64 MB line without ever holding more than the cap, reports it once, and keeps the next line', () => {
    const lines: string[] = [];
    const overlong: number[] = [];
    const splitter = new BoundedLineSplitter(DEFAULT_MAX_INPUT_LINE_BYTES, { onLine: (l) => lines.push(l), onOverlong: (n) => overlong.push(n) });
    for (const chunk of hugeLine('{"command":"x","pad":"', 64 * MB, '"}\n{"command":"get_status"}\n')) splitter.push(chunk);
    splitter.end();
    expect(overlong).to.deep.equal([DEFAULT_MAX_INPUT_LINE_BYTES]);
    expect(lines).to.deep.equal(['{"command":"get_status"}']);
    expect(splitter.peakBufferedBytes).to.be.at.most(DEFAULT_MAX_INPUT_LINE_BYTES);
  });

  it('keeps lines split across chunks, multi-byte characters cut in half, and a last line without newline', () => {
    const lines: string[] = [];
    const splitter = new BoundedLineSplitter(64, { onLine: (l) => lines.push(l), onOverlong: () => lines.push('<overlong>') });
    const text = Buffer.from('ab€c\n\n' + 'x'.repeat(65) + '\nlast');
    for (let i = 0; i < text.length; i += 3) splitter.push(text.subarray(i, i + 3));
    splitter.end();
    expect(lines).to.deep.equal(['ab€c', '', '<overlong>', 'last']);
  });

  it('accepts a line of exactly the cap', () => {
    const lines: string[] = [];
    const splitter = new BoundedLineSplitter(8, { onLine: (l) => lines.push(l), onOverlong: () => lines.push('<overlong>') });
    splitter.push(Buffer.from('12345678\n123456789\n'));
    expect(lines).to.deep.equal(['12345678', '<overlong>']);
  });

  it('serve --stdio answers a 64 MB line with one -1002 naming the limit, stays small, then answers the next command', async () => {
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const chunks = hugeLine('{"command":"get_status","command_id":"', 64 * MB, '"}\n{"command":"get_status","command_id":"after"}\n');
    const input = Readable.from((function* () {
      for (const chunk of chunks) {
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        yield chunk;
      }
    })(), { objectMode: false });
    const output = new PassThrough();
    let out = '';
    output.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await serveStdio({ input, output, errorOutput: new PassThrough() });
    expect(code).to.equal(0);
    const statuses = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { status: string; command_id?: string; data: Record<string, unknown> });
    const errors = statuses.filter((s) => s.status === 'error');
    expect(errors).to.have.length(1);
    expect(errors[0]?.data).to.include({ code: -1002, field: 'line' });
    expect(String(errors[0]?.data['error'])).to.include(String(DEFAULT_MAX_INPUT_LINE_BYTES));
    expect(statuses.filter((s) => s.status === 'status_report').map((s) => s.command_id)).to.deep.equal(['after']);
    // readline held the whole line (the audit measured 776 MB RSS for 64 MB); the cap keeps it near 1 MiB.
    expect(rssPeak - rssBefore).to.be.below(48 * MB);
  });
});
