import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { thrownBy } from '../../helpers/rejection.js';
import { resolveAllowedPath, type PathRule } from '../../../src/storage/allowed_roots.js';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';

describe('the path rule: every path a command names stays inside an allowed root', () => {
  let top: string;
  let rule: PathRule;
  beforeEach(() => {
    top = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-roots-'));
    fs.mkdirSync(path.join(top, 'base'));
    fs.mkdirSync(path.join(top, 'extra'));
    fs.mkdirSync(path.join(top, 'elsewhere'));
    rule = { base: path.join(top, 'base'), roots: [path.join(top, 'base'), path.join(top, 'extra')] };
  });
  afterEach(() => fs.rmSync(top, { recursive: true, force: true }));

  it('takes relative paths from the base, not the working directory, and allows the roots and folders not yet made', () => {
    expect(resolveAllowedPath('output_dir', 'day1/run', rule)).to.equal(path.join(top, 'base', 'day1', 'run'));
    expect(resolveAllowedPath('output_dir', path.join(top, 'extra', 'new', 'deeper'), rule)).to.equal(path.join(top, 'extra', 'new', 'deeper'));
    expect(resolveAllowedPath('output_dir', path.join(top, 'base'), rule)).to.equal(path.join(top, 'base'));
  });

  it('refuses absolute paths elsewhere and relative escapes with -1002 naming the field and the roots', () => {
    for (const requested of ['/etc', '../escape_rel', path.join(top, 'base', '..', 'elsewhere'), path.join(top, 'base-sibling')]) {
      const error = thrownBy(() => resolveAllowedPath('output_dir', requested, rule));
      expect(error.code, requested).to.equal(-1002);
      expect(error.field).to.equal('output_dir');
      expect(error.message).to.include(path.join(top, 'extra'));
    }
  });

  it('follows symlinks: a folder inside the base that links elsewhere is refused, one linking into a root is allowed', () => {
    fs.symlinkSync(path.join(top, 'elsewhere'), path.join(top, 'base', 'link-out'));
    fs.symlinkSync(path.join(top, 'extra'), path.join(top, 'base', 'link-in'));
    expect(thrownBy(() => resolveAllowedPath('output_dir', 'link-out/trials', rule)).code).to.equal(-1002);
    expect(resolveAllowedPath('output_dir', 'link-in/trials', rule)).to.equal(path.join(top, 'base', 'link-in', 'trials'));
  });

  it('answers an outside path with the same words whether it exists or not (no probing of other folders)', () => {
    fs.mkdirSync(path.join(top, 'elsewhere', 'real'));
    fs.symlinkSync(path.join(top, 'elsewhere', 'real'), path.join(top, 'base', 'to-real'));
    fs.symlinkSync(path.join(top, 'elsewhere', 'missing'), path.join(top, 'base', 'to-missing'));
    const answer = (requested: string) => {
      const error = thrownBy(() => resolveAllowedPath('output_dir', requested, rule));
      return { message: error.message.replace(JSON.stringify(requested), 'REQUESTED'), data: JSON.stringify(error.data) };
    };
    const existing = answer(path.join(top, 'elsewhere', 'real'));
    expect(answer(path.join(top, 'elsewhere', 'missing'))).to.deep.equal(existing);
    expect(answer('to-real/x')).to.deep.equal(existing);
    expect(answer('to-missing/x')).to.deep.equal(existing);
    expect(existing.message).not.to.include(path.join(top, 'elsewhere'));
  });

  it('refuses NUL, newline and other control characters as -1002', () => {
    for (const requested of ['a\u0000b', 'a\nb', 'a\rb', 'tab\there']) {
      const error = thrownBy(() => resolveAllowedPath('session_dir', requested, rule));
      expect(error.code, JSON.stringify(requested)).to.equal(-1002);
      expect(error.field).to.equal('session_dir');
    }
  });
});

describe('commands that name paths (mocked host)', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  const errorOf = (statuses: Awaited<ReturnType<Harness['send']>>) => statuses.find((m) => m.status === 'error');

  it('refuses record into /etc, ../escape_rel, an outside session_dir, and writes nothing there', async () => {
    h = await startHarness();
    await h.send('assign_device', ASSIGN);
    for (const payload of [{ output_dir: '/etc' }, { output_dir: '../escape_rel' }, { session_dir: '/tmp/../etc/cams' }, { output_dir: 'ok\nno' }]) {
      const error = errorOf(await h.send('record', payload));
      expect(error?.status === 'error' && error.data, JSON.stringify(payload)).to.include({ code: -1002 });
    }
    expect(fs.existsSync(path.join(path.dirname(h.dir), 'escape_rel'))).to.equal(false);
    expect(h.writers.writers).to.have.length(0);
    const inside = (await h.send('record', { output_dir: 'inside' })).find((m) => m.status === 'recording_started');
    expect(inside?.status === 'recording_started' && inside.data.video_path.startsWith(path.join(h.dir, 'inside'))).to.equal(true);
  });

  it('refuses a start_session folder and a snapshot path outside the roots, and allows storage.allowed_roots', async () => {
    const extra = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-extra-'));
    h = await startHarness({ config: { storage: { allowed_roots: [extra] } } });
    expect(errorOf(await h.send('start_session', { session_dir: '/etc/sessions' }))?.data).to.include({ code: -1002, field: 'session_dir' });
    const started = (await h.send('start_session', { session_dir: path.join(extra, 'S1') })).find((m) => m.status === 'session_started');
    expect(started?.data).to.include({ session_dir: path.join(extra, 'S1') });
    await h.send('assign_device', ASSIGN);
    h.captures.last.emitFrame();
    expect(errorOf(await h.send('take_snapshot', { path: '/etc/snap.jpg' }))?.data).to.include({ code: -1002, field: 'path' });
    fs.rmSync(extra, { recursive: true, force: true });
  });
});
