import { mkdir, mkdtemp, readdir, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ClipFolder } from '../../../src/storage/clips/clip_folder.js';
import { ClipRejection } from '../../../src/storage/clips/clip_window.js';

describe('ClipFolder (the out_dir of a clip, opened once)', () => {
  let base: string;
  let root: string;

  beforeEach(async () => {
    base = await realpath(await mkdtemp(path.join(tmpdir(), 'clip-folder-')));
    root = path.join(base, 'clips');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await mkdir(path.join(base, 'outside'));
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const refusal = async (requested: string, configured = root): Promise<string> => {
    const error = await ClipFolder.open(root, requested, configured).then(async (folder) => {
      await folder.close();
      return null;
    }, (err: unknown) => err);
    expect(error, requested).to.be.instanceOf(ClipRejection);
    expect((error as ClipRejection).statusCode).to.equal(400);
    return (error as Error).message;
  };

  it('answers the same for an outside path that exists and one that does not', async () => {
    const existing = await refusal(path.join(base, 'outside'));
    const missing = await refusal(path.join(base, 'no-such-folder'));
    expect(existing).to.equal(`out_dir must be inside the clips folder ${root}`);
    expect(missing).to.equal(existing);
    expect(await refusal('../outside')).to.equal(existing);
  });

  it('refuses a link inside the root that leads out, a file, and a missing folder inside', async () => {
    await symlink(path.join(base, 'outside'), path.join(root, 'escape'));
    await writeFile(path.join(root, 'file'), 'x');
    expect(await refusal('escape')).to.match(/inside the clips folder/);
    expect(await refusal('file')).to.match(/ENOTDIR|not a folder/);
    expect(await refusal('nope')).to.match(/'nope' does not exist \(ENOENT\)/);
  });

  it('takes an absolute path through the clips folder as configured (a link to the real one)', async () => {
    const configured = path.join(base, 'clips-link');
    await symlink(root, configured);
    const folder = await ClipFolder.open(root, path.join(configured, 'sub'), configured);
    try {
      expect(folder.real).to.equal(path.join(root, 'sub'));
      expect(folder.shown('a.mp4')).to.equal(path.join(root, 'sub', 'a.mp4'));
    } finally {
      await folder.close();
    }
  });

  it('gives paths that still lead to the opened folder after it was moved and a link put in its place', async () => {
    const folder = await ClipFolder.open(root, 'sub');
    try {
      await rename(path.join(root, 'sub'), path.join(root, 'moved'));
      await symlink(path.join(base, 'outside'), path.join(root, 'sub'));
      await writeFile(await folder.pathFor('probe.txt'), 'here', { flag: 'wx' });
      expect(await readdir(path.join(root, 'moved'))).to.deep.equal(['probe.txt']);
      expect(await readdir(path.join(base, 'outside'))).to.deep.equal([]);
      expect(folder.readable(`failed at ${await folder.pathFor('x')}`)).to.equal(`failed at ${path.join(root, 'sub', 'x')}`);
    } finally {
      await folder.close();
    }
  });
});
