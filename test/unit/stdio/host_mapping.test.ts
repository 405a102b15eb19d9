import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { translateStatus } from '../../../src/stdio/dialect.js';
import { fitLine, MAX_LINE_BYTES } from '../../../src/stdio/line_limit.js';
import { encodeStatus } from '../../../src/stdio/wire.js';
import { readHostConfig } from '../../../src/stdio/host_config.js';
import { installRpiLogger, uninstallRpiLogger } from '../../../src/cli/rpi_logger_install.js';
import { StatusChecker } from '../../helpers/status_log.js';

const checker = new StatusChecker();
const recordStatus = (message: StatusMessage): void => {
  checker.record(message);
  checker.throwIfInvalid();
};
import type { StatusMessage } from '../../../src/events/statuses.js';

const errorStatus = (recoverable: boolean): StatusMessage => ({
  status: 'error', timestamp: 't', command_id: 'c1',
  data: { command: 'pause', error: 'Camera is not recording', code: -1004, recoverable, field: null, session_id: null },
});

describe('RPi_Logger dialect: statuses the host acts on', () => {
  it('sends recoverable errors as command_error, which the host logs but does not act on', () => {
    const out = translateStatus(errorStatus(true), 'rpi-logger');
    recordStatus(out);
    expect(out.status).to.equal('command_error');
    expect(out.command_id).to.equal('c1');
    expect(out.data).to.include({ message: 'Camera is not recording', code: -1004, recoverable: true });
  });

  it('keeps unrecoverable errors as error, with the message key the host shows', () => {
    const out = translateStatus(errorStatus(false), 'rpi-logger');
    recordStatus(out);
    expect(out.status).to.equal('error');
    expect(out.data).to.include({ message: 'Camera is not recording' });
  });

  it('changes nothing in the plain dialect', () => {
    const message = errorStatus(true);
    expect(translateStatus(message, 'plain')).to.equal(message);
  });
});

describe('stdout line limit', () => {
  it('keeps every line under 64 KiB by leaving out the largest fields when shortening strings is not enough, and says which', () => {
    const modes = Array.from({ length: 20_000 }, (_, i) => ({ width: i, height: i }));
    const huge = { type: 'status', status: 'device_capabilities', timestamp: 't', data: { camera_id: 'usb:1', modes, controls: 'y'.repeat(50) } };
    const line = fitLine(huge);
    expect(Buffer.byteLength(line)).to.be.at.most(MAX_LINE_BYTES);
    const parsed = JSON.parse(line) as { data: Record<string, unknown> };
    expect(parsed.data).to.deep.equal({ camera_id: 'usb:1', controls: 'y'.repeat(50), _truncated: ['modes'] });
  });

  it('leaves lines that fit untouched', () => {
    const line = encodeStatus({ status: 'quitting', data: {}, timestamp: 't' });
    expect(line).to.equal('{"type":"status","status":"quitting","timestamp":"t","data":{}}');
  });

  it('measures bytes, not characters', () => {
    const wide = { type: 'status', status: 'x', timestamp: 't', data: { text: '€'.repeat(30_000) } };
    expect(Buffer.byteLength(fitLine(wide))).to.be.at.most(MAX_LINE_BYTES);
  });
});

describe('--config-path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-cfg-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads JSON, or the host\'s key = value text with our settings dotted', () => {
    const json = path.join(dir, 'c.json');
    fs.writeFileSync(json, '{"record": {"fps": 15}}');
    expect(readHostConfig(json)).to.deep.equal({ record: { fps: 15 } });
    const txt = path.join(dir, 'config.txt');
    fs.writeFileSync(txt, '# comment\ndisplay_name = Cameras\nenabled = true\nrecord.fps = 25 # inline\nstorage.session_prefix = "lab"\nguard.disk_free_gb_min=2.5\nnonsense\n');
    expect(readHostConfig(txt)).to.deep.equal({ record: { fps: 25 }, storage: { session_prefix: 'lab' }, guard: { disk_free_gb_min: 2.5 } });
  });
});

describe('install-rpi-logger', () => {
  it('installs a launcher the host discovers, keeps the discovery package, and uninstalls back to the original', () => {
    const modules = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-mod-'));
    const cameras = path.join(modules, 'Cameras');
    fs.mkdirSync(path.join(cameras, 'discovery'), { recursive: true });
    fs.writeFileSync(path.join(cameras, 'main_cameras.py'), 'original');
    fs.writeFileSync(path.join(cameras, 'config.txt'), 'display_name = Cameras (python)\n');
    installRpiLogger(modules, '/usr/bin/node');
    installRpiLogger(modules, '/usr/bin/node');
    const launchers = fs.readdirSync(cameras).filter((n) => /^main_.*\.py$/.test(n));
    expect(launchers).to.deep.equal(['main_cameras.py']);
    const launcher = fs.readFileSync(path.join(cameras, 'main_cameras.py'), 'utf8');
    expect(launcher).to.include('asyncio').and.to.include('async def main').and.to.include('os.execv');
    expect(fs.existsSync(path.join(cameras, 'discovery'))).to.equal(true);
    uninstallRpiLogger(modules);
    expect(fs.readFileSync(path.join(cameras, 'main_cameras.py'), 'utf8')).to.equal('original');
    expect(fs.readFileSync(path.join(cameras, 'config.txt'), 'utf8')).to.equal('display_name = Cameras (python)\n');
    fs.rmSync(modules, { recursive: true, force: true });
  });
});
