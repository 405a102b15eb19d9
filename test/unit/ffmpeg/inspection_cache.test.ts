import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { InspectionCache } from '../../../src/ffmpeg/inspection_cache.js';

describe('InspectionCache', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-cache-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers from the cache until the binary changes, and never caches a failure', async () => {
    const binary = path.join(dir, 'ffmpeg');
    fs.writeFileSync(binary, 'v1');
    const cache = new InspectionCache<{ version: string }>(path.join(dir, 'cache.json'));
    let inspections = 0;
    const inspect = async () => { inspections += 1; return { version: fs.readFileSync(binary, 'utf8') }; };
    expect(await cache.get(binary, inspect)).to.deep.equal({ version: 'v1' });
    expect(await new InspectionCache<{ version: string }>(path.join(dir, 'cache.json')).get(binary, inspect)).to.deep.equal({ version: 'v1' });
    expect(inspections).to.equal(1);
    fs.writeFileSync(binary, 'v2-longer');
    expect(await cache.get(binary, inspect)).to.deep.equal({ version: 'v2-longer' });
    expect(inspections).to.equal(2);
    let failures = 0;
    const failing = async () => { failures += 1; return null; };
    const other = path.join(dir, 'other');
    fs.writeFileSync(other, 'x');
    expect(await cache.get(other, failing)).to.equal(null);
    expect(await cache.get(other, failing)).to.equal(null);
    expect(failures).to.equal(2);
  });

  it('inspects directly what it cannot stat', async () => {
    const cache = new InspectionCache<number>(path.join(dir, 'cache2.json'));
    expect(await cache.get('ffmpeg-not-a-path', async () => 7)).to.equal(7);
    expect(fs.existsSync(path.join(dir, 'cache2.json'))).to.equal(false);
  });
});
