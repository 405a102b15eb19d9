import { expect } from 'chai';
import path from 'node:path';
import { NothingToRepair, startHarness, type Harness } from '../../helpers/module_harness.js';
import type { RepairReport } from '../../../src/storage/repair/repair_trials.js';

/** A repairer that found one trial it completed, one it could not, and one still being written. */
class FoundSome extends NothingToRepair {
  override async repair(dir: string): Promise<RepairReport> {
    await super.repair(dir);
    const trial = (name: string, outcome: 'repaired' | 'failed' | 'skipped', reason: string | null) => ({
      metadataPath: path.join(dir, `${name}_metadata.csv`), outcome, reason, endTimeUnix: outcome === 'repaired' ? '1700000000.5' : null,
      framesTotal: outcome === 'repaired' ? 42 : null, framesDropped: 0, actualFps: null,
      videos: outcome === 'repaired' ? [{ path: path.join(dir, `${name}.mkv`), frames: 42, index: 'added' as const, note: null }] : [], notes: [],
    });
    return { dir, trialsFound: 5, trials: [trial('a', 'repaired', null), trial('b', 'failed', 'timing CSV unreadable'), trial('c', 'skipped', 'changed 1 s ago')] };
  }
}

describe('start-up repair (mocked host)', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  it('looks under every storage root after ready and reports what it completed, failed and skipped', async () => {
    const repairer = new FoundSome();
    h = await startHarness({ config: { storage: { allowed_roots: ['more'] } }, overrides: { TrialRepairer: repairer } });
    await h.handle.idle();
    expect(repairer.dirs).to.deep.equal([h.dir, path.join(h.dir, 'more')]);
    const reports = h.statuses.filter((m) => m.status === 'trials_repaired');
    expect(reports).to.have.length(2);
    expect(h.statuses.findIndex((m) => m.status === 'ready')).to.be.lessThan(h.statuses.indexOf(reports[0] as never));
    expect(reports[0]?.data).to.deep.equal({
      dir: h.dir, trials_found: 5, skipped: 1,
      repaired: [{ metadata_path: path.join(h.dir, 'a_metadata.csv'), frames_total: 42, indexed_videos: [path.join(h.dir, 'a.mkv')] }],
      failed: [{ metadata_path: path.join(h.dir, 'b_metadata.csv'), reason: 'timing CSV unreadable' }],
    });
  });

  it('stays quiet when nothing needs repair, and does not look when storage.repair_on_start is off', async () => {
    const repairer = new NothingToRepair();
    h = await startHarness({ config: { storage: { repair_on_start: false } }, overrides: { TrialRepairer: repairer } });
    await h.handle.idle();
    expect(repairer.dirs).to.deep.equal([]);
    expect(h.statuses.some((m) => m.status === 'trials_repaired')).to.equal(false);
  });
});
