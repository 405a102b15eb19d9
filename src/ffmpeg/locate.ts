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
import { capabilitiesFrom, parseEncoderNames, parseFormatNames } from './capabilities.js';
import { binaryPathFromPackage } from './package_binaries.js';
import type { FfmpegCapabilities, FfmpegInfo, FfmpegSource } from './types.js';
import { parseVersionOutput, type FfmpegVersion } from './version.js';
import type { InspectionCache } from './inspection_cache.js';

export const FFMPEG_PATH_ENV = 'CAMERAS_FFMPEG_PATH';

export interface FfmpegLocatorOptions extends BinarySearchOptions {
  /** config ffmpeg.path; first in the order when set. */
  readonly configPath?: string | null;
  /** Remembers earlier answers of the same binary across restarts (off when absent). */
  readonly cache?: InspectionCache<FfmpegDetails>;
}

/**
 * Finds a working ffmpeg, in this order: explicit config path → $CAMERAS_FFMPEG_PATH →
 * the ffmpeg-static package → `ffmpeg` on PATH → the @ffmpeg-installer/ffmpeg package.
 * A candidate counts only when `<bin> -version` answers like ffmpeg; the first one wins.
 * The search runs once per locator; a failed search is retried on the next call.
 */
export class FfmpegLocator {
  private readonly context: BinarySearchContext;
  private search: Promise<FfmpegInfo> | null = null;

  constructor(private readonly options: FfmpegLocatorOptions = {}) {
    this.context = searchContext(options);
  }

  locate(): Promise<FfmpegInfo> {
    if (!this.search) {
      this.search = this.find();
      this.search.catch(() => {
        this.search = null;
      });
    }
    return this.search;
  }

  private async find(): Promise<FfmpegInfo> {
    const { found, attempts } = await firstWorking(this.candidates(), this.context, (binary) => this.inspect(binary));
    if (found) return { path: found.path, source: found.source, ...found.value };
    throw new ModuleError('FFMPEG_NOT_FOUND', `ffmpeg was not found. Tried, in order: ${describeAttempts(attempts)}`, {
      data: { tried: attempts },
      recoverable: false,
    });
  }

  private async inspect(binary: string): Promise<Inspection<FfmpegDetails>> {
    const cache = this.options.cache;
    if (!cache) return inspectFfmpeg(binary, this.context);
    let failure: Inspection<FfmpegDetails> = { ok: false, problem: 'not inspected' };
    const value = await cache.get(binary, async () => {
      const inspection = await inspectFfmpeg(binary, this.context);
      if (inspection.ok) return inspection.value;
      failure = inspection;
      return null;
    });
    return value ? { ok: true, value } : failure;
  }

  private candidates(): Candidate<FfmpegSource>[] {
    const context = this.context;
    const configPath = this.options.configPath;
    return [
      { source: 'config', label: 'config ffmpeg.path', resolve: async () => (configPath ? configPath : null) },
      envCandidate('env', FFMPEG_PATH_ENV, context),
      {
        source: 'ffmpeg-static',
        label: 'package ffmpeg-static',
        resolve: () => binaryPathFromPackage('ffmpeg-static', context.importModule),
      },
      onPathCandidate('path', 'ffmpeg', context),
      {
        source: '@ffmpeg-installer/ffmpeg',
        label: 'package @ffmpeg-installer/ffmpeg',
        resolve: () => binaryPathFromPackage('@ffmpeg-installer/ffmpeg', context.importModule),
      },
    ];
  }
}

export type FfmpegDetails = FfmpegVersion & { readonly capabilities: FfmpegCapabilities };

/** `-version`, then the muxer, demuxer and encoder lists (three cheap calls, run together). */
async function inspectFfmpeg(binary: string, context: BinarySearchContext): Promise<Inspection<FfmpegDetails>> {
  const versionRun = await runCommand(context.launcher, binary, ['-version'], { timeoutMs: context.timeoutMs });
  const failure = describeFailure(versionRun, context.timeoutMs);
  if (failure) return { ok: false, problem: `-version failed: ${failure}` };
  const version = parseVersionOutput(versionRun.stdout);
  if (!version) return { ok: false, problem: `does not answer -version like ffmpeg: "${firstLine(versionRun.stdout)}"` };

  const [muxers, demuxers, encoders] = await Promise.all(
    ['-muxers', '-demuxers', '-encoders'].map((flag) =>
      runCommand(context.launcher, binary, ['-hide_banner', flag], { timeoutMs: context.timeoutMs }),
    ),
  );
  for (const [flag, run] of [['-muxers', muxers], ['-demuxers', demuxers], ['-encoders', encoders]] as const) {
    const listFailure = describeFailure(run, context.timeoutMs);
    if (listFailure) return { ok: false, problem: `${flag} failed: ${listFailure}` };
  }
  const capabilities = capabilitiesFrom(version, {
    muxers: parseFormatNames(muxers.stdout),
    demuxers: parseFormatNames(demuxers.stdout),
    encoders: parseEncoderNames(encoders.stdout),
  });
  return { ok: true, value: { ...version, capabilities } };
}

function firstLine(text: string): string {
  return (text.trim().split(/\r?\n/)[0] ?? '').slice(0, 120);
}
