import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** What the window tests need from the machine: a virtual X server and tools to look at its windows. */
export function xvfbMissing(): string | null {
  for (const tool of ['Xvfb', 'xwininfo', 'xwd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install xvfb x11-utils x11-apps)`;
  }
  return null;
}

export interface VirtualDisplay {
  /** ":N", for DISPLAY. */
  readonly display: string;
  close(): Promise<void>;
}

/** An Xvfb server on a free display number (it picks one and tells us through -displayfd). */
export function startXvfb(width = 1280, height = 800): Promise<VirtualDisplay> {
  const server: ChildProcess = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let text = '';
    server.on('error', reject);
    server.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const number = /^(\d+)\n/.exec(text)?.[1];
      if (number === undefined) return;
      resolve({
        display: `:${number}`,
        close: () => new Promise((done) => {
          if (server.exitCode !== null || server.signalCode !== null) return done();
          server.once('exit', () => done());
          server.kill('SIGTERM');
        }),
      });
    });
    server.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before naming its display`)));
  });
}

export interface XWindow {
  readonly id: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
}

/** Every named top-level window, as xwininfo lists them. */
export function listWindows(display: string): XWindow[] {
  const result = spawnSync('xwininfo', ['-display', display, '-root', '-tree'], { encoding: 'utf8' });
  const windows: XWindow[] = [];
  for (const line of result.stdout.split('\n')) {
    const match = /^\s+(0x[0-9a-f]+) "(.*)": \(.*\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)\s+\+(-?\d+)\+(-?\d+)/.exec(line);
    if (!match) continue;
    const [, id, title, w, h, , , ax, ay] = match;
    windows.push({ id: id as string, title: title as string, width: Number(w), height: Number(h), x: Number(ax), y: Number(ay) });
  }
  return windows;
}

/** A window's pixels, read with xwd (ZPixmap, 32 bits a pixel as Xvfb's 24-bit screen gives). */
export function windowPixels(display: string, windowId: string): { width: number; height: number; pixels: Buffer } {
  const dump = spawnSync('xwd', ['-display', display, '-id', windowId, '-silent'], { maxBuffer: 64 * 1024 * 1024 });
  const data = dump.stdout as Buffer;
  if (dump.status !== 0 || data.length < 100) throw new Error(`xwd failed: ${dump.stderr?.toString() ?? ''}`);
  const field = (index: number): number => data.readUInt32BE(index * 4);
  const headerSize = field(0);
  const width = field(4);
  const height = field(5);
  const bytesPerLine = field(12);
  const colours = field(19);
  const start = headerSize + colours * 12;
  return { width, height, pixels: data.subarray(start, start + bytesPerLine * height) };
}
