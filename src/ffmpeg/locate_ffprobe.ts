import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import { describeFailure, runCommand } from '../process/run_command.js';
import {
  describeAttempts,
  envCandidate,
  firstWorking,
  onPathCandidate,
  searchContext,
  type BinarySearchContext,
  type BinarySearchOptions,
  type Candidate,
  type Inspection,
} from './binary_candidates.js';
import { executableName } from './executable_search.js';
import { binaryPathFromPackage } from './package_binaries.js';
import { parseVersionOutput } from './version.js';

export const FFPROBE_PATH_ENV = 'CAMERAS_FFPROBE_PATH';

export type FfprobeSource = 'env' | 'beside-ffmpeg' | 'path' | '@ffprobe-installer/ffprobe';

export interface FfprobeInfo {
  readonly path: string;
  readonly version: string;
  readonly source: FfprobeSource;
}

/**
 * Finds a working ffprobe: $CAMERAS_FFPROBE_PATH → `ffprobe` in the directory of the
 * chosen ffmpeg → `ffprobe` on PATH → the @ffprobe-installer/ffprobe package.
 */
export class FfprobeLocator {
  private readonly context: BinarySearchContext;

  constructor(options: BinarySearchOptions = {}) {
    this.context = searchContext(options);
  }

  async locate(ffmpegPath: string | null): Promise<FfprobeInfo> {
    const { found, attempts } = await firstWorking(this.candidates(ffmpegPath), this.context, (binary) =>
      inspectFfprobe(binary, this.context),
    );
    if (found) return { path: found.path, source: found.source, version: found.value };
    throw new ModuleError('FFMPEG_NOT_FOUND', `ffprobe was not found. Tried, in order: ${describeAttempts(attempts)}`, {
      data: { tried: attempts },
    });
  }

  private candidates(ffmpegPath: string | null): Candidate<FfprobeSource>[] {
    const context = this.context;
    const pathApi = context.platform === 'win32' ? path.win32 : path.posix;
    return [
      envCandidate('env', FFPROBE_PATH_ENV, context),
      {
        source: 'beside-ffmpeg',
        label: 'next to ffmpeg',
        resolve: async () =>
          ffmpegPath ? pathApi.join(pathApi.dirname(ffmpegPath), executableName('ffprobe', context.platform)) : null,
      },
      onPathCandidate('path', 'ffprobe', context),
      {
        source: '@ffprobe-installer/ffprobe',
        label: 'package @ffprobe-installer/ffprobe',
        resolve: () => binaryPathFromPackage('@ffprobe-installer/ffprobe', context.importModule),
      },
    ];
  }
}

async function inspectFfprobe(binary: string, context: BinarySearchContext): Promise<Inspection<string>> {
  const run = await runCommand(context.launcher, binary, ['-version'], { timeoutMs: context.timeoutMs });
  const failure = describeFailure(run, context.timeoutMs);
  if (failure) return { ok: false, problem: `-version failed: ${failure}` };
  const version = parseVersionOutput(run.stdout, 'ffprobe');
  return version ? { ok: true, value: version.version } : { ok: false, problem: 'does not answer -version like ffprobe' };
}
