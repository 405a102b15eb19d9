import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { readManifest } from '../../src/host/manifest.js';
import { ERROR_TABLE } from '../../src/errors/codes.js';

// The tables live in the commands guide; the README is the front door that names the test command.
const commandsGuide = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'commands.md'), 'utf8');
const readme = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');

/** The table rows between <!-- name:start --> and <!-- name:end -->, as arrays of cells. */
function tableRows(name: string): string[][] {
  const block = commandsGuide.split(`<!-- ${name}:start -->`)[1]?.split(`<!-- ${name}:end -->`)[0] ?? '';
  return block.split('\n').filter((l) => l.startsWith('|')).slice(2)
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

const unquote = (cell: string | undefined): string => (cell ?? '').replace(/`/g, '');

describe('docs/commands.md tables agree with the manifest and the schemas', () => {
  const manifest = readManifest(path.join(PACKAGE_ROOT, 'module.manifest.json'));

  it('lists every command with its schema', () => {
    const rows = tableRows('commands');
    expect(rows.map((r) => unquote(r[0])).sort()).to.deep.equal(Object.keys(manifest.commands).sort());
    for (const row of rows) expect(row[2], row[0]).to.include(`(../${manifest.commands[unquote(row[0])]?.schema})`);
  });

  it('lists every status with its schema', () => {
    const rows = tableRows('statuses');
    expect(rows.map((r) => unquote(r[0])).sort()).to.deep.equal(Object.keys(manifest.statuses).sort());
    for (const row of rows) expect(row[2], row[0]).to.include(`(../${manifest.statuses[unquote(row[0])]?.schema})`);
  });

  it('lists every error code with its message', () => {
    const rows = tableRows('errors');
    expect(rows.map((r) => [Number(r[0]), unquote(r[1]), r[2]])).to.deep.equal(
      Object.entries(ERROR_TABLE).map(([name, e]) => [e.code, name, e.message]));
  });

  it('shows the install and test commands that .ci/run calls', () => {
    const setUp = readme.split('## Set-up')[1]?.split('```sh\n')[1]?.split('```')[0] ?? '';
    const ciRun = fs.readFileSync(path.join(PACKAGE_ROOT, '.ci', 'run'), 'utf8');
    for (const command of ['npm ci', 'npm test']) {
      expect(setUp, `README set-up block: ${command}`).to.include(command);
      expect(ciRun, `.ci/run: ${command}`).to.match(new RegExp(`^${command}\\b`, 'm'));
    }
  });
});
