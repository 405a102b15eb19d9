import { ModuleError } from '../errors/codes.js';
import type { FfmpegInfo } from './types.js';

/**
 * Holds the result of locating ffmpeg once at start-up. A module without ffmpeg still
 * starts (so the host hears `ready` and an error naming every path tried), and each
 * command that needs ffmpeg fails with that same error.
 */
export class FfmpegProvider {
  private info: FfmpegInfo | null = null;
  private failure: ModuleError | null = null;
  private search: Promise<void> | null = null;

  constructor(private readonly locate: () => Promise<FfmpegInfo>) {}

  /** Starts the search once; the module calls it early so ffmpeg's -version runs while schemas compile. */
  initialize(): Promise<void> {
    this.search ??= this.locate().then(
      (info) => { this.info = info; },
      (err: unknown) => {
        this.failure = err instanceof ModuleError ? err : new ModuleError('FFMPEG_NOT_FOUND', String(err), { cause: err });
      },
    );
    return this.search;
  }

  get current(): FfmpegInfo | null {
    return this.info;
  }

  get error(): ModuleError | null {
    return this.failure;
  }

  require(): FfmpegInfo {
    if (this.info) return this.info;
    throw this.failure ?? new ModuleError('FFMPEG_NOT_FOUND', 'ffmpeg has not been located yet');
  }
}
