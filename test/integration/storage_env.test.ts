import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FakeRpiHost } from '../helpers/fake_rpi_host.js';
import { mountSmallVolume, type SmallVolume } from '../helpers/small_volume.js';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';

describe('STORAGE_WARN_PERCENT / STORAGE_BLOCK_PERCENT from the environment', function () {
  this.timeout(30_000);
  let volume: SmallVolume | null = null;
  after(async () => { await volume?.unmount(); });

  it('STORAGE_WARN_PERCENT=5 STORAGE_BLOCK_PERCENT=10 refuses record with -1010 on a volume more than 10 % full', async function () {
    const mounted = await mountSmallVolume(16);
    if ('skipped' in mounted) {
      console.log(`      skipped: ${mounted.skipped}`);
      this.skip();
    }
    volume = mounted as SmallVolume;
    await volume.fill({ usedPercent: 30 });
    const config = path.join(volume.dir, '..', `cams-env-${process.pid}.json`);
    fs.writeFileSync(config, JSON.stringify({ storage: { base_path: volume.dir } }));
    const host = new FakeRpiHost(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), 'serve', '--stdio', '--config-path', config],
      { ...process.env, STORAGE_WARN_PERCENT: '5', STORAGE_BLOCK_PERCENT: '10' });
    try {
      await host.waitFor('ready', 5000);
      host.send('assign_device', { camera_id: { backend: 'synthetic', stable_id: 'env' }, descriptor: { name: 'env', device_path: 'synthetic:160x120@30' } });
      await host.waitFor('device_ready', 5000);
      host.send('record', { trial_number: 1 });
      const refused = await host.waitFor('error', 5000, (l) => l.data['command'] === 'record');
      expect(refused.data['code']).to.equal(-1010);
      expect(refused.data['error']).to.include('Storage space is critical');
      const data = refused.data['data'] as Record<string, number>;
      expect(data['available_space']).to.be.a('number');
      expect(data['total_space']).to.be.a('number');
      expect(host.statuses()).to.not.include('recording_started');
      host.send('quit');
      await host.waitFor('quitting', 5000);
    } finally {
      host.kill('SIGKILL');
      fs.rmSync(config, { force: true });
    }
  });
});
