import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import { describeFailure, launcherFor, runCommand } from '../process/run_command.js';
import { NodeProcessSpawner, type ProcessSpawner } from '../process/spawner.js';
import { errnoCode } from '../errors/errno.js';

export interface MjpegClipOptions {
  readonly ffmpegPath: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly seconds: number;
  /** Where clips are kept; one file per parameter set, reused across runs. */
  readonly dir: string;
  readonly spawner?: ProcessSpawner;
}

const ENCODE_TIMEOUT_MS = 120_000;
const pending = new Map<string, Promise<string>>();

/**
 * Returns the path of an MJPEG-in-Matroska clip of the testsrc2 pattern with these
 * parameters, encoding it the first time. The clip is written under a temporary name and
 * renamed, so an interrupted run never leaves a truncated clip behind under the real name.
 */
export function ensureMjpegClip(options: MjpegClipOptions): Promise<string> {
  const clip = path.resolve(options.dir, `testsrc2-${options.width}x${options.height}@${options.fps}-${options.seconds}s.mkv`);
  let made = pending.get(clip);
  if (!made) {
    made = makeClipOnce(clip, options);
    pending.set(clip, made);
    made.catch(() => pending.delete(clip));
  }
  return made;
}

async function makeClipOnce(clip: string, options: MjpegClipOptions): Promise<string> {
  if (await exists(clip)) return clip;
  await mkdir(path.dirname(clip), { recursive: true });
  const partial = `${clip}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${options.width}x${options.height}:rate=${options.fps}`,
    '-t',
    String(options.seconds),
    '-c:v',
    'mjpeg',
    '-q:v',
    '5',
    '-pix_fmt',
    'yuvj420p',
    '-f',
    'matroska',
    partial,
  ];
  const launcher = launcherFor(options.spawner ?? new NodeProcessSpawner());
  const run = await runCommand(launcher, options.ffmpegPath, args, { timeoutMs: ENCODE_TIMEOUT_MS });
  const failure = describeFailure(run, ENCODE_TIMEOUT_MS);
  if (failure) {
    await rm(partial, { force: true });
    throw new ModuleError('INTERNAL', `Could not make test clip ${clip}: ${failure}`);
  }
  await rename(partial, clip);
  return clip;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}
