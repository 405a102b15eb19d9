import { access } from 'node:fs/promises';
import { ModuleError } from '../../errors/codes.js';
import type { ProcessLauncher } from '../../process/run_command.js';

const COUNT_TIMEOUT_MS = 60_000;
const NEWLINE = 0x0a;
const COMMENT = 0x23; // '#'

/**
 * The video packets a file really holds, as any reader will see them: ffmpeg demuxes it
 * and prints one framecrc line per packet, counted as they stream by (an hour of video is
 * a hundred thousand lines). A missing file holds 0; a file ffmpeg cannot open at all holds 0.
 */
export async function countVideoPackets(launcher: ProcessLauncher, ffmpegPath: string, file: string): Promise<number> {
  if (!(await access(file).then(() => true, () => false))) return 0;
  const proc = launcher.start(ffmpegPath, ['-nostdin', '-v', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'framecrc', '-'], {
    stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true,
  });
  let packets = 0;
  let atLineStart = true;
  let lineIsComment = false;
  proc.child.stdout?.on('data', (chunk: Buffer) => {
    for (const byte of chunk) {
      if (atLineStart) lineIsComment = byte === COMMENT;
      atLineStart = byte === NEWLINE;
      if (atLineStart && !lineIsComment) packets += 1;
    }
  });
  const timer = setTimeout(() => void proc.stop({ termMs: 1000 }), COUNT_TIMEOUT_MS);
  timer.unref();
  const exit = await proc.exited;
  clearTimeout(timer);
  if (exit.spawnError !== null) {
    throw new ModuleError('ENCODER_FAILED', `Cannot count the frames in ${file}: ${exit.spawnError.message}`, { cause: exit.spawnError });
  }
  if (exit.signal !== null) {
    throw new ModuleError('ENCODER_FAILED', `Counting the frames in ${file} did not finish (${exit.signal})`);
  }
  // A non-zero exit on a damaged file still printed every packet it could read.
  return packets;
}
