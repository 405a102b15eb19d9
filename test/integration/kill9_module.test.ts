import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { readTimingCsv } from '../../src/storage/timing_reader.js';
import { locatedTools, runTool } from '../helpers/run_tool.js';
import { probeVideo } from '../../src/verify/ffprobe_packets.js';

describe('kill -9 of the whole module in mid-trial', function () {
  this.timeout(60_000);

  it('leaves a playable video whose frames match the timing CSV up to its last row', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-kill9-'));
    const configPath = path.join(dir, 'config.json');
    fs.writeFileSync(configPath, JSON.stringify({ storage: { base_path: dir }, telemetry: { emit_interval_ms: 0 } }));
    const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), 'serve', '--stdio', '--config-path', configPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('error', () => undefined);
    const lines = readline.createInterface({ input: child.stdout });
    const waitFor = (status: string): Promise<Record<string, unknown>> => new Promise((resolve) => {
      const onLine = (line: string): void => {
        const parsed = JSON.parse(line) as { status: string; data: Record<string, unknown> };
        if (parsed.status === status) {
          lines.off('line', onLine);
          resolve(parsed.data);
        }
      };
      lines.on('line', onLine);
    });
    try {
      child.stdin.write(`${JSON.stringify({ command: 'assign_device', camera_id: { backend: 'synthetic', stable_id: 'k9' }, descriptor: { name: 'kill nine', device_path: 'synthetic:640x480@30' } })}\n`);
      await waitFor('device_ready');
      child.stdin.write('{"command":"record","trial_number":1}\n');
      const started = await waitFor('recording_started');
      await new Promise((r) => setTimeout(r, 2300));
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGKILL');
      await exited;
      // The capture ffmpeg loses its reader and exits on its own; give it a moment.
      await new Promise((r) => setTimeout(r, 300));
      const video = String(started['video_path']);
      const decode = await runTool('ffmpeg', ['-v', 'error', '-i', video, '-f', 'null', '-']);
      expect(decode.code).to.equal(0);
      const { ffprobe } = await locatedTools();
      const probed = await probeVideo(ffprobe, video);
      const rows = await readTimingCsv(String(started['timing_path']));
      expect(rows.length).to.be.greaterThan(30);
      expect(rows.length).to.be.at.most(probed.pts.length);
      rows.forEach((row, i) => {
        expect(row.frameIndex).to.equal(i + 1);
        expect(row.videoPts, `row ${i + 1}`).to.equal(probed.pts[i]);
      });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
