import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { cacheFolder, InspectionCache } from '../../../src/ffmpeg/inspection_cache.js';

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

  describe('kept where no other account can plant or read it', () => {
    const posix = function (this: Mocha.Context) { if (process.platform === 'win32') this.skip(); };
    let binary: string;
    const answer = { version: 'real' };
    const inspectOnce = () => {
      const calls = { n: 0 };
      return { calls, inspect: async () => { calls.n += 1; return answer; } };
    };
    beforeEach(() => {
      binary = path.join(dir, 'ffmpeg-bin');
      fs.writeFileSync(binary, 'binary');
    });

    it('lives in $XDG_CACHE_HOME/cameras-usb2, else ~/.cache/cameras-usb2, never in the temp folder', () => {
      expect(cacheFolder({ XDG_CACHE_HOME: '/x/cache' }, '/home/u')).to.equal(path.join('/x/cache', 'cameras-usb2'));
      expect(cacheFolder({}, '/home/u')).to.equal(path.join('/home/u', '.cache', 'cameras-usb2'));
      expect(cacheFolder({ XDG_CACHE_HOME: 'relative' }, '/home/u'), 'a relative XDG_CACHE_HOME is ignored').to.equal(path.join('/home/u', '.cache', 'cameras-usb2'));
      expect(cacheFolder()).not.to.include(os.tmpdir());
    });

    it('creates its folder 0700 and its file 0600', async function () {
      posix.call(this);
      const folder = path.join(dir, 'fresh', 'cameras-usb2');
      const { inspect } = inspectOnce();
      await new InspectionCache(path.join(folder, 'c.json')).get(binary, inspect);
      expect(fs.statSync(folder).mode & 0o777).to.equal(0o700);
      expect(fs.statSync(path.join(folder, 'c.json')).mode & 0o777).to.equal(0o600);
    });

    it('never writes through a symlink planted at the old predictable temp name or at the cache file', async function () {
      posix.call(this);
      const folder = fs.mkdtempSync(path.join(dir, 'plant-'));
      const file = path.join(folder, 'c.json');
      const victim = path.join(dir, 'victim');
      fs.writeFileSync(victim, 'precious');
      fs.symlinkSync(victim, `${file}.${process.pid}.tmp`);
      fs.symlinkSync(victim, file);
      const { calls, inspect } = inspectOnce();
      expect(await new InspectionCache(file).get(binary, inspect)).to.deep.equal(answer);
      expect(calls.n).to.equal(1);
      expect(fs.readFileSync(victim, 'utf8')).to.equal('precious');
      expect(fs.lstatSync(file).isFile(), 'the cache replaced the link, not its target').to.equal(true);
    });

    it('ignores a cache file others may write to, or of another user, and a folder others may write to', async function () {
      posix.call(this);
      const planted = (folder: string) => {
        const file = path.join(folder, 'c.json');
        const real = fs.realpathSync(binary);
        const stat = fs.statSync(real);
        fs.writeFileSync(file, JSON.stringify({ [real]: { path: real, size: stat.size, mtimeMs: stat.mtimeMs, value: { version: 'planted' } } }), { mode: 0o600 });
        return file;
      };
      const groupWritable = planted(fs.mkdtempSync(path.join(dir, 'gw-')));
      fs.chmodSync(groupWritable, 0o620);
      expect(await new InspectionCache(groupWritable).get(binary, inspectOnce().inspect)).to.deep.equal(answer);

      const openFolder = fs.mkdtempSync(path.join(dir, 'of-'));
      const inOpenFolder = planted(openFolder);
      fs.chmodSync(openFolder, 0o777);
      expect(await new InspectionCache(inOpenFolder).get(binary, inspectOnce().inspect)).to.deep.equal(answer);

      if (process.getuid?.() === 0) { // chown needs root
        const theirs = planted(fs.mkdtempSync(path.join(dir, 'ou-')));
        fs.chownSync(theirs, 65534, 65534);
        expect(await new InspectionCache(theirs).get(binary, inspectOnce().inspect)).to.deep.equal(answer);
      }
      // The control: the same planted file, owned by us and private, is what the cache answers from.
      const ours = planted(fs.mkdtempSync(path.join(dir, 'ok-')));
      expect(await new InspectionCache(ours).get(binary, inspectOnce().inspect)).to.deep.equal({ version: 'planted' });
    });
  });
});
