import { lstat, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { toModuleError } from '../errors/codes.js';
import type { Logger } from '../logging/logger.js';
import type { FileLifecycle } from './file_lifecycle.js';
import type { FileClosed, FileKind } from '../events/file_events.js';
import { numberedName, type CandidateName, type NameReserver, type ReservedFile } from './name_reserver.js';
import { rotatedName } from './rotation.js';
import { METADATA_ENDING, TIMING_ENDING, trialFilePaths } from './session_paths.js';
import type { TrialContext, TrialPaths } from './types.js';

/** A trial's three files, created together. */
export interface ReservedTrial {
  readonly paths: TrialPaths;
  readonly video: ReservedFile;
  readonly timing: ReservedFile;
  readonly metadata: ReservedFile;
}

/** What a closed file held: frames and sensor times, or nulls for a file without frames. */
export type ClosedFacts = Pick<FileClosed, 'frames' | 'firstSensorTimestampNs' | 'lastSensorTimestampNs'>;

export const NO_FRAMES: ClosedFacts = { frames: null, firstSensorTimestampNs: null, lastSensorTimestampNs: null };

/**
 * Names, creates, removes and announces the files of one trial. Every name comes from the
 * NameReserver (created exclusively, never through a link) and every file is announced on
 * the FileLifecycle once opened and once final. A failing listener is logged and ignored:
 * consumers of files cannot break a recording.
 */
export class TrialFiles {
  /**
   * The trial's folder was a real folder (not a link) when the trial started: later files
   * (parts, rotation) then refuse a link swapped in its place. A base folder configured as a
   * link stays allowed.
   */
  private folderWasReal = false;

  constructor(
    private readonly reserver: NameReserver,
    private readonly lifecycle: FileLifecycle,
    private readonly context: TrialContext,
    private readonly logger: Logger,
    /** What the FileSinks add to every name ('.enc' when encrypting): reserved as part of it. */
    private readonly suffix = '',
  ) {}

  /** The video, timing and metadata files, under the names in `paths` or the next free ones. */
  async reserveTrial(paths: TrialPaths, videoExtension: string): Promise<ReservedTrial> {
    const dir = path.dirname(paths.videoPath);
    this.folderWasReal = await lstat(dir).then((s) => s.isDirectory(), () => false);
    const group = await this.reserver.reserve({
      dir, name: numberedName(trialName(paths.videoPath, this.suffix)),
      endings: [videoExtension, TIMING_ENDING, METADATA_ENDING].map((ending) => ending + this.suffix),
    });
    const [video, timing, metadata] = group.files as [ReservedFile, ReservedFile, ReservedFile];
    return {
      paths: { outputDir: paths.outputDir, ...this.withSuffix(trialFilePaths(dir, group.name, videoExtension)), renamed: paths.renamed || group.renamed },
      video, timing, metadata,
    };
  }

  /** `<trial name>_partN<ext>` (N = `partNumber`, or the next free number) for a resumed trial. */
  reservePart(trialVideoPath: string, partNumber: number, videoExtension: string): Promise<ReservedFile> {
    const name = trialName(trialVideoPath, this.suffix);
    return this.reserveVideo(trialVideoPath, (attempt) => `${name}_part${partNumber + attempt - 1}`, videoExtension);
  }

  /** `<trial name>_<YYYYmmdd-HHMMSS><ext>` for the next file of a rotating trial. */
  reserveRotated(trialVideoPath: string, firstFrameUnixNs: bigint, videoExtension: string): Promise<ReservedFile> {
    return this.reserveVideo(trialVideoPath, rotatedName(trialName(trialVideoPath, this.suffix), firstFrameUnixNs), videoExtension);
  }

  opened(file: string, kind: FileKind): void {
    this.announce(() => this.lifecycle.opened({ path: file, kind, ...this.owner() }));
  }

  /** The file is final: announced with its size on disk. */
  async closed(file: string, kind: FileKind, facts: ClosedFacts): Promise<void> {
    const bytes = await stat(file).then((s) => s.size, (err: unknown) => {
      this.log(`cannot read the size of ${file}`, err);
      return 0;
    });
    this.announce(() => this.lifecycle.closed({ path: file, kind, ...this.owner(), bytes, ...facts }));
  }

  /** An empty video file (no frame reached it): deleted, and announced closed as removed. */
  async removeEmpty(file: string): Promise<void> {
    await rm(file, { force: true });
    this.announce(() => this.lifecycle.closed({ path: file, kind: 'video', ...this.owner(), bytes: 0, frames: 0,
      firstSensorTimestampNs: null, lastSensorTimestampNs: null, removed: true }));
  }

  private reserveVideo(trialVideoPath: string, name: CandidateName, videoExtension: string): Promise<ReservedFile> {
    const request = { dir: path.dirname(trialVideoPath), name, endings: [videoExtension + this.suffix], refuseSymlinkDir: this.folderWasReal };
    return this.reserver.reserve(request).then((group) => group.files[0]!);
  }

  private withSuffix(paths: ReturnType<typeof trialFilePaths>): ReturnType<typeof trialFilePaths> {
    return { videoPath: paths.videoPath + this.suffix, timingPath: paths.timingPath + this.suffix, metadataPath: paths.metadataPath + this.suffix };
  }

  private owner(): { cameraId: string; trialNumber: number } {
    return { cameraId: this.context.cameraId, trialNumber: this.context.trialNumber };
  }

  private announce(emit: () => void): void {
    try {
      emit();
    } catch (err) {
      this.log('a file lifecycle listener failed', err);
    }
  }

  private log(message: string, err: unknown): void {
    const error = toModuleError(err);
    this.logger.error(`trial ${this.context.trialNumber}: ${message}: ${error.message}`, { camera_id: this.context.cameraId, code: error.code });
  }
}

/** The name a trial's files share: its first video file's name without the extension (and `suffix`). */
export function trialName(videoPath: string, suffix = ''): string {
  const plain = suffix !== '' && videoPath.endsWith(suffix) ? videoPath.slice(0, -suffix.length) : videoPath;
  return path.basename(plain, path.extname(plain));
}
