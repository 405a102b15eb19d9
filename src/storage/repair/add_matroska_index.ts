import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { describeFailure, runCommand, type ProcessLauncher } from '../../process/run_command.js';
import { probeVideo } from '../../verify/ffprobe_packets.js';

export interface IndexTools {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly launcher: ProcessLauncher;
}

const REMUX_TIMEOUT_MS = 10 * 60_000;

/**
 * Gives a Matroska file without Cues an index by remuxing it (`-c copy`, no frame is
 * re-encoded) into a temp file in the same folder and renaming that over the original, an
 * atomic swap on one file system. The swap only happens when the copy holds the same
 * frames with the same pts (a frame cut off by the crash may be left out at the end, but
 * never one the timing CSV has a row for); otherwise the original stays as it is.
 */
export async function addMatroskaIndex(file: string, framesWithRows: number, tools: IndexTools): Promise<{ added: boolean; note: string | null }> {
  // An unpredictable name, created exclusively first: a link planted there cannot redirect ffmpeg's write.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.repair-${randomBytes(8).toString('hex')}.mkv`);
  await (await open(temp, 'wx')).close();
  try {
    const run = await runCommand(tools.launcher, tools.ffmpegPath, [
      '-nostdin', '-v', 'error', '-y', '-i', file, '-map', '0', '-c', 'copy', '-f', 'matroska', temp,
    ], { timeoutMs: REMUX_TIMEOUT_MS });
    const failure = describeFailure(run, REMUX_TIMEOUT_MS) ?? (run.code === 0 ? null : `exit code ${run.code}: ${run.stderr.trim().split('\n').at(-1) ?? ''}`);
    if (failure) return { added: false, note: `index not added: ffmpeg remux failed (${failure})` };
    const [before, after] = await Promise.all([probeVideo(tools.ffprobePath, file), probeVideo(tools.ffprobePath, temp)]);
    const kept = after.pts.length >= framesWithRows && after.pts.every((pts, i) => pts === before.pts[i]);
    if (!kept) {
      return { added: false, note: `index not added: the remuxed copy did not keep every frame and pts (${after.pts.length} of ${before.pts.length} frames)` };
    }
    await rename(temp, file);
    const lost = before.pts.length - after.pts.length;
    return { added: true, note: lost > 0 ? `${lost} unreadable frame(s) at the end of the file (after the last timing row) were left out` : null };
  } finally {
    await rm(temp, { force: true });
  }
}
