import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FakeRpiHost } from '../test/helpers/fake_rpi_host.js';
import { listWindows, startXvfb, windowPixels, xvfbMissing, type XWindow } from '../test/helpers/xvfb.js';
import { processCpuSeconds } from './proc_cpu.js';
import { sleep } from './baseline.js';

/**
 * What the module's window costs while recording (RPi_Logger's GUI, issue: a window like its
 * own camera module's): CPU of the module (node + ffmpeg) and of the window's browser over a
 * trial with the window shown, against the same trial with it hidden, alternating; and how
 * long the browser takes from show_window to the first picture in the window.
 */
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' }, camera: { type: 'string', default: 'synthetic:1280x720@30' } } });
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CAMERA_NAME = 'Bench Cam';

function pidsWhere(test: (pid: number, stat: string, cmdline: string) => boolean): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return test(pid, fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  });
}

const parentOf = (stat: string): number => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
const cpuOf = (pids: number[]): number => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);

async function main(): Promise<void> {
  const missing = xvfbMissing();
  if (missing) throw new Error(missing);
  const xvfb = await startXvfb();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cams-bench-window-'));
  const cache = path.join(root, 'cache');
  const session = path.join(root, 'session_20260101_120000');
  fs.mkdirSync(session, { recursive: true });
  const host = new FakeRpiHost(process.execPath, [path.resolve('bin/cameras-usb2.js'), 'serve', '--output-dir', session, '--enable-commands',
    '--instance-id', 'CAMERAS:usb:bench', '--window-geometry', '640x480+0+0'], { ...process.env, DISPLAY: xvfb.display, XDG_CACHE_HOME: cache });
  const modulePid = host.child.pid as number;
  // The module: node and its ffmpeg children; the window: every process of the browser's profile.
  const modulePids = (): number[] => [modulePid, ...pidsWhere((_pid, stat, cmd) => parentOf(stat) === modulePid && cmd.startsWith('ffmpeg'))];
  const browserPids = (): number[] => pidsWhere((_pid, _stat, cmd) => cmd.includes(cache));
  const titled = (w: XWindow): boolean => w.title.startsWith(CAMERA_NAME);
  try {
    await host.waitFor('ready', 15_000);
    host.send('assign_device', { device_id: 'usb:bench', camera_stable_id: 'bench', camera_dev_path: values.camera, camera_hw_model: CAMERA_NAME, is_camera: true });
    await host.waitFor('device_ready', 15_000);
    await waitFor(() => listWindows(xvfb.display).find(titled), 30_000);
    await sleep(3000);

    const firstPicture: number[] = [];
    const rows: Array<{ shown: boolean; module: number; browser: number }> = [];
    let trial = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const shown of round % 2 === 0 ? [true, false] : [false, true]) {
        const visible = listWindows(xvfb.display).some(titled);
        if (shown && !visible) firstPicture.push(await showAndTime(host, xvfb.display, titled));
        if (!shown && visible) {
          host.send('hide_window');
          await host.waitFor('window_hidden', 10_000, () => true, host.lines.length);
        }
        await sleep(2000);
        trial += 1;
        const browser = browserPids();
        const before = { module: cpuOf(modulePids()), browser: cpuOf(browser) };
        host.send('record', { session_dir: session, trial_number: trial });
        await sleep(SECONDS * 1000);
        const after = { module: cpuOf(modulePids()), browser: cpuOf(browser) };
        host.send('pause');
        await host.waitFor('recording_stopped', 10_000, (l) => l.data['trial_number'] === trial);
        rows.push({ shown, module: (after.module - before.module) / SECONDS, browser: (after.browser - before.browser) / SECONDS });
      }
    }
    report(rows, firstPicture);
    host.send('quit');
    await host.waitFor('quitting', 15_000);
  } finally {
    host.kill('SIGKILL');
    await host.exited;
    await xvfb.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function showAndTime(host: FakeRpiHost, display: string, titled: (w: XWindow) => boolean): Promise<number> {
  const sent = Date.now();
  host.send('show_window');
  const window = await waitFor(() => listWindows(display).find(titled), 30_000);
  await waitFor(() => {
    const shot = windowPixels(display, window.id).pixels;
    const seen = new Set<number>();
    for (let i = 0; i + 4 <= shot.length * 0.6 && seen.size < 50; i += 4 * 97) seen.add(shot.readUInt32LE(i) & 0xffffff);
    return seen.size > 20;
  }, 30_000, 25);
  return Date.now() - sent;
}

async function waitFor<T>(probe: () => T | null | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(everyMs);
  }
}

function report(rows: Array<{ shown: boolean; module: number; browser: number }>, firstPicture: number[]): void {
  const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
  const stats = (values: number[]): string => {
    const s = [...values].sort((a, b) => a - b);
    return `${pct(s[0] ?? 0)} / ${pct(s[Math.floor(s.length / 2)] ?? 0)} / ${pct(s.at(-1) ?? 0)}`;
  };
  console.log(`window bench, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`${values.camera}, ${SECONDS} s trials, ${ROUNDS} alternating rounds; CPU in % of one core, min / median / max`);
  console.log('| window | module (node + ffmpeg) | browser | together |');
  console.log('|---|---|---|---|');
  for (const shown of [false, true]) {
    const picked = rows.filter((r) => r.shown === shown);
    console.log(`| ${shown ? 'shown' : 'hidden'} | ${stats(picked.map((r) => r.module))} | ${stats(picked.map((r) => r.browser))} | ${stats(picked.map((r) => r.module + r.browser))} |`);
  }
  console.log(`show_window → first picture in the window: ${firstPicture.map((ms) => `${ms} ms`).join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
