import { expect } from 'chai';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModuleError } from '../../../src/errors/codes.js';
import { createNewFile, NameReserver, numberedName, writeNewFile } from '../../../src/storage/name_reserver.js';
import { rejectionOf as rejection } from '../../helpers/rejection.js';

const TRIAL_ENDINGS = ['.mkv', '_timing.csv', '_metadata.csv'];

describe('NameReserver', () => {
  let dir: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'reserve-'));
    outside = mkdtempSync(path.join(tmpdir(), 'reserve-outside-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const reserveTrial = (reserver = new NameReserver()) => reserver.reserve({ dir, name: numberedName('s_cam'), endings: TRIAL_ENDINGS });

  it('creates every file of a group, empty and open, under the natural name', async () => {
    const group = await reserveTrial();
    expect(group).to.include({ name: 's_cam', renamed: false });
    expect(group.files.map((f) => path.basename(f.path))).to.deep.equal(['s_cam.mkv', 's_cam_timing.csv', 's_cam_metadata.csv']);
    await group.files[0]!.handle.writeFile('video');
    for (const file of group.files) await file.handle.close();
    expect(readFileSync(path.join(dir, 's_cam.mkv'), 'utf8')).to.equal('video');
    expect(lstatSync(path.join(dir, 's_cam_metadata.csv')).size).to.equal(0);
  });

  it('moves the whole group to _2 when any one of its names is taken, by the file or by the file plus a later suffix', async () => {
    writeFileSync(path.join(dir, 's_cam_metadata.csv'), 'earlier trial');
    writeFileSync(path.join(dir, 's_cam_2_timing.csv.enc'), 'encrypted earlier trial');
    const group = await reserveTrial();
    expect(group).to.include({ name: 's_cam_3', renamed: true });
    for (const file of group.files) await file.handle.close();
    expect(readFileSync(path.join(dir, 's_cam_metadata.csv'), 'utf8')).to.equal('earlier trial');
  });

  it('takes its list of later suffixes from the options', async () => {
    writeFileSync(path.join(dir, 's_cam.mkv.sig'), 'x');
    const group = await reserveTrial(new NameReserver({ laterSuffixes: ['.sig'] }));
    for (const file of group.files) await file.handle.close();
    expect(group.name).to.equal('s_cam_2');
    expect(new NameReserver({ laterSuffixes: [] }).firstFreeName({ dir, name: numberedName('s_cam'), endings: TRIAL_ENDINGS }).name)
      .to.equal('s_cam', 'without .sig in the list, s_cam.mkv.sig does not take s_cam');
  });

  it('refuses a group whose name holds a dangling symlink and leaves no file behind', async () => {
    const target = path.join(outside, 'would-be-written.csv');
    symlinkSync(target, path.join(dir, 's_cam_timing.csv'));
    const error = await rejection(reserveTrial());
    expect(error).to.be.instanceOf(ModuleError).with.property('kind', 'STORAGE_UNAVAILABLE');
    expect(error.data).to.include({ reason: 'symlink' });
    expect(readdirSync(dir)).to.deep.equal(['s_cam_timing.csv']);
    expect(existsSync(target)).to.equal(false);
    expect(() => new NameReserver().firstFreeName({ dir, name: numberedName('s_cam'), endings: TRIAL_ENDINGS }))
      .to.throw(ModuleError).with.property('kind', 'STORAGE_UNAVAILABLE');
  });

  it('refuses a folder that is a symbolic link when asked to', async () => {
    const linked = path.join(dir, 'cam');
    symlinkSync(outside, linked);
    const error = await rejection(new NameReserver().reserve({ dir: linked, name: numberedName('a'), endings: ['.mkv'], refuseSymlinkDir: true }));
    expect(error).to.have.property('kind', 'STORAGE_UNAVAILABLE');
    expect(readdirSync(outside)).to.deep.equal([]);
  });

  it('gives racing reservations of one name distinct complete groups', async () => {
    const reserver = new NameReserver();
    const groups = await Promise.all(Array.from({ length: 12 }, () => reserveTrial(reserver)));
    for (const group of groups) for (const file of group.files) await file.handle.close();
    const names = groups.map((g) => g.name);
    expect(new Set(names).size).to.equal(12);
    expect(readdirSync(dir)).to.have.length(36);
  });

  it('createNewFile never opens through a link: a link to an existing file or a dangling one is refused untouched', async () => {
    const existing = path.join(outside, 'precious.txt');
    writeFileSync(existing, 'precious');
    symlinkSync(existing, path.join(dir, 'to-existing'));
    symlinkSync(path.join(outside, 'new.txt'), path.join(dir, 'dangling'));
    expect(await createNewFile(path.join(dir, 'to-existing'))).to.equal(null);
    expect(await createNewFile(path.join(dir, 'dangling'))).to.equal(null);
    expect(readFileSync(existing, 'utf8')).to.equal('precious');
    expect(existsSync(path.join(outside, 'new.txt'))).to.equal(false);
  });

  it('writeNewFile (snapshots) never overwrites: a taken name becomes _2', async () => {
    mkdirSync(path.join(dir, 'snaps'));
    const wanted = path.join(dir, 'snaps', 'snap.jpg');
    expect(await writeNewFile(wanted, Buffer.from('one'))).to.equal(wanted);
    const second = await writeNewFile(wanted, Buffer.from('two'));
    expect(second).to.equal(path.join(dir, 'snaps', 'snap_2.jpg'));
    expect(readFileSync(wanted, 'utf8')).to.equal('one');
    expect(readFileSync(second, 'utf8')).to.equal('two');
  });
});
