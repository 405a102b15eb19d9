import fs from 'node:fs';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../../src/config/schema_registry.js';
import { docBlocks, documentationFiles, withAddress } from '../../helpers/doc_blocks.js';

describe('runnable blocks of the documentation', () => {
  it('finds marked blocks with their expectations and leaves every other block alone', () => {
    const markdown = [
      '```sh', 'npm ci', '```',
      '<!-- docs-test expect: demo OK -->',
      '<!-- docs-test expect: wrote -->',
      '```sh runnable', 'npx --no-install cameras-usb2 demo', 'echo wrote', '```',
      '```ts', '```sh runnable', '```',
      '```sh server', 'npx --no-install cameras-usb2 demo --http 127.0.0.1:8765', '```',
    ].join('\n');
    const blocks = docBlocks(markdown, 'x.md');
    expect(blocks.map((b) => [b.kind, b.line, b.code, b.expect])).to.deep.equal([
      ['runnable', 6, 'npx --no-install cameras-usb2 demo\necho wrote', ['demo OK', 'wrote']],
      ['server', 13, 'npx --no-install cameras-usb2 demo --http 127.0.0.1:8765', []],
    ]);
  });

  it('refuses a marked block that is never closed', () => {
    expect(() => docBlocks('```sh runnable\nls\n', 'y.md')).to.throw('y.md:1');
  });

  it('rewrites only the documented address', () => {
    expect(withAddress('curl http://127.0.0.1:8765/health # port 8765', '127.0.0.1:40001'))
      .to.equal('curl http://127.0.0.1:40001/health # port 8765');
  });

  it('the README has one server block and runnable blocks for the whole quick tour', () => {
    const readme = fs.readFileSync(documentationFiles(PACKAGE_ROOT)[0] ?? '', 'utf8');
    const blocks = docBlocks(readme, 'README.md');
    const servers = blocks.filter((b) => b.kind === 'server');
    expect(servers).to.have.length(1);
    expect(servers[0]?.code).to.match(/^npx --no-install cameras-usb2 demo .*--segments.*--http 127\.0\.0\.1:8765/);
    const runnable = blocks.filter((b) => b.kind === 'runnable').map((b) => b.code).join('\n');
    for (const step of ['cameras-usb2 demo', 'cameras-usb2 clip', 'curl', 'cameras-usb2 keygen', 'cameras-usb2 verify', 'cameras-usb2 decrypt']) {
      expect(runnable, step).to.include(step);
    }
  });
});
