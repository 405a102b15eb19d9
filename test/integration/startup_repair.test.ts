import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startLiveModule, sleep, type LiveModule } from '../helpers/live_module.js';
import { recordThenKill9 } from '../helpers/kill9_trial.js';
import { readCsv } from '../helpers/csv.js';

describe('start-up repair of trials a crash left unfinished (real ffmpeg)', function () {
  this.timeout(60_000);
  let m: LiveModule | null = null;
  afterEach(async () => {
    await m?.close();
    m = null;
  });

  it('completes the metadata of a kill -9 trial under storage.base_path and reports trials_repaired', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-crashed-'));
    try {
      const paths = await recordThenKill9(path.join(root, 'day1'), 1500);
      expect(readCsv(paths.metadataPath)[0]?.['end_time_unix']).to.equal('');
      // Files that changed in the last seconds may belong to a recorder still running: wait until they are idle.
      await sleep(5200);
      const live = await startLiveModule({ storage: { base_path: root } });
      m = live;
      const deadline = Date.now() + 20_000;
      while (!live.statuses.some((s) => s.status === 'trials_repaired') && Date.now() < deadline) await sleep(50);
      const report = live.statuses.find((s) => s.status === 'trials_repaired');
      expect(report?.status === 'trials_repaired' && report.data.repaired.map((r) => r.metadata_path)).to.deep.equal([paths.metadataPath]);
      const row = readCsv(paths.metadataPath)[0];
      expect(row?.['end_time_unix']).to.not.equal('');
      expect(Number(row?.['frames_total'])).to.be.greaterThan(10);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
