import { constants, lstatSync, type Stats } from 'node:fs';
import { lstat, open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import { errnoCode } from '../errors/errno.js';
import { writeFullyAt } from './mkv/writable_file.js';
import { storageWriteError } from '../errors/write_errors.js';
import { PLAIN_FILES, type FileSinks } from './sinks/file_sinks.js';

/** A file this process created exclusively, still open for writing. */
export interface ReservedFile {
  readonly path: string;
  readonly handle: FileHandle;
}

/** Files reserved together under one name (a trial's video, timing and metadata files). */
export interface ReservedGroup {
  /** The name shared by the group's files, without its endings. */
  readonly name: string;
  /** One file per ending, in the order the endings were given. */
  readonly files: readonly ReservedFile[];
  /** The natural name (attempt 1) was taken and a later one was used. */
  readonly renamed: boolean;
}

/** The name to try at a 1-based attempt; attempt 1 is the natural name. */
export type CandidateName = (attempt: number) => string;

export interface NameRequest {
  readonly dir: string;
  readonly name: CandidateName;
  /** What follows the name in each file of the group: '.mkv', '_timing.csv', '.jpg'... */
  readonly endings: readonly string[];
  /**
   * Refuse when `dir` itself is a symbolic link: for folders the module created, where a
   * link can only have been planted to send files elsewhere.
   */
  readonly refuseSymlinkDir?: boolean;
}

export interface NameReserverOptions {
  /**
   * Suffixes a later transform appends to a file (encryption writes `<name>.enc`): a name
   * counts as taken when such a file exists too, so the transform never meets a clash.
   */
  readonly laterSuffixes?: readonly string[];
  /** Names tried before giving up; far beyond any real session. */
  readonly maxAttempts?: number;
}

export const DEFAULT_LATER_SUFFIXES: readonly string[] = ['.enc'];
const DEFAULT_MAX_ATTEMPTS = 10_000;
/**
 * O_CREAT|O_EXCL fails on any existing entry, a symbolic link (even a dangling one)
 * included, so the file created is always new and always the one named. O_NOFOLLOW says
 * the same where the platform has it.
 */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

type NameState = 'free' | 'taken' | 'symlink';

/** `stem`, `stem_2`, `stem_3`...: the numbering every free-name choice of the module uses. */
export function numberedName(stem: string): CandidateName {
  return (attempt) => (attempt === 1 ? stem : `${stem}_${attempt}`);
}

/**
 * The one place that chooses names for new files. A name is free when neither it nor it
 * plus a later suffix exists; a symbolic link at a name refuses it outright (someone wants
 * our bytes elsewhere). reserve() creates the files exclusively, so two writers racing for a
 * name never share it, and a group is all or nothing: no orphan file is left behind.
 */
export class NameReserver {
  private readonly laterSuffixes: readonly string[];
  private readonly maxAttempts: number;

  constructor(options: NameReserverOptions = {}) {
    this.laterSuffixes = options.laterSuffixes ?? DEFAULT_LATER_SUFFIXES;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /**
   * The first free name, without creating anything (for callers that only report names).
   * The files still have to be reserved; someone may take the name in between.
   */
  firstFreeName(request: NameRequest): { readonly name: string; readonly renamed: boolean } {
    if (request.refuseSymlinkDir) refuseLinkedDir(request.dir, lstatOrNull(request.dir));
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      const name = request.name(attempt);
      const states = request.endings.map((ending) => this.stateOf(path.join(request.dir, name + ending), lstatOrNull));
      refuseLinks(request.endings.map((ending) => path.join(request.dir, name + ending)), states);
      if (states.every((state) => state === 'free')) return { name, renamed: attempt > 1 };
    }
    throw noFreeName(request);
  }

  /** Creates every file of the group under the first name free for all of them. */
  async reserve(request: NameRequest): Promise<ReservedGroup> {
    if (request.refuseSymlinkDir) refuseLinkedDir(request.dir, await lstatOrNullAsync(request.dir));
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      const name = request.name(attempt);
      const files = request.endings.map((ending) => path.join(request.dir, name + ending));
      const states = await Promise.all(files.map((file) => this.stateOfAsync(file)));
      refuseLinks(files, states);
      if (states.some((state) => state !== 'free')) continue;
      const created = await createAll(files);
      if (created !== null) return { name, files: created, renamed: attempt > 1 };
      // Someone created one of them after the check: that name is theirs now.
    }
    throw noFreeName(request);
  }

  /** One new file `<dir>/<stem><ext>` (or `<stem>_2<ext>`...), created and open. */
  async reserveFile(dir: string, stem: string, ext: string): Promise<ReservedFile> {
    const group = await this.reserve({ dir, name: numberedName(stem), endings: [ext] });
    return group.files[0]!;
  }

  private stateOf(file: string, stat: (file: string) => Stats | null): NameState {
    const own = stat(file);
    if (own?.isSymbolicLink()) return 'symlink';
    if (own !== null) return 'taken';
    return this.laterSuffixes.some((suffix) => stat(file + suffix) !== null) ? 'taken' : 'free';
  }

  private async stateOfAsync(file: string): Promise<NameState> {
    const own = await lstatOrNullAsync(file);
    if (own?.isSymbolicLink()) return 'symlink';
    if (own !== null) return 'taken';
    const later = await Promise.all(this.laterSuffixes.map((suffix) => lstatOrNullAsync(file + suffix)));
    return later.some((stats) => stats !== null) ? 'taken' : 'free';
  }
}

const defaultReserver = new NameReserver();

/** One new file `<dir>/<stem><ext>`, or `<stem>_2<ext>`... when taken; created and open. */
export function reserveFile(dir: string, stem: string, ext: string): Promise<ReservedFile> {
  return defaultReserver.reserveFile(dir, stem, ext);
}

/**
 * Writes `data` to a new file named like `file` (`<name>_2<ext>`... when taken), plus the
 * sinks' suffix (`.enc`: encrypted), and returns the path used; a file that cannot be
 * written whole is removed again.
 */
export async function writeNewFile(file: string, data: Buffer, sinks: FileSinks = PLAIN_FILES): Promise<string> {
  const { dir, name, ext } = path.parse(file);
  const reserved = await reserveFile(dir, name, ext + sinks.suffix);
  try {
    const sink = await sinks.open(reserved.path, reserved.handle, 'snapshot');
    await writeFullyAt(sink, data, 0);
    await sink.close();
  } catch (err) {
    await removeAll([reserved]);
    throw storageWriteError(err, reserved.path, 'writing', 'STORAGE_UNAVAILABLE');
  }
  return reserved.path;
}

/** Opens `file` exclusively, never through a link; null when it already exists. */
export async function createNewFile(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, CREATE_NEW, 0o666);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return null;
    throw storageWriteError(err, file, 'creating', 'STORAGE_UNAVAILABLE');
  }
}

/**
 * Creates the files in order; on EEXIST (lost a race) or any failure the ones already
 * created are closed and removed, so nothing of a failed group stays on disk.
 */
async function createAll(files: readonly string[]): Promise<ReservedFile[] | null> {
  const created: ReservedFile[] = [];
  try {
    for (const file of files) {
      const handle = await createNewFile(file);
      if (handle === null) {
        refuseLinks([file], [(await lstatOrNullAsync(file))?.isSymbolicLink() ? 'symlink' : 'taken']);
        await removeAll(created);
        return null;
      }
      created.push({ path: file, handle });
    }
    return created;
  } catch (err) {
    await removeAll(created);
    throw err;
  }
}

/** Closes and deletes files this process created and has not written to anyone yet. */
export async function removeAll(files: readonly ReservedFile[]): Promise<void> {
  for (const file of files) {
    await file.handle.close().catch(() => undefined); // already closed is fine; the file goes anyway
    await rm(file.path, { force: true });
  }
}

function refuseLinks(files: readonly string[], states: readonly NameState[]): void {
  const index = states.indexOf('symlink');
  if (index < 0) return;
  const file = files[index]!;
  throw new ModuleError('STORAGE_UNAVAILABLE', `Refusing to write ${file}: a symbolic link is in its place`, {
    data: { path: file, reason: 'symlink' },
  });
}

function refuseLinkedDir(dir: string, stats: Stats | null): void {
  if (stats !== null && stats.isDirectory()) return;
  const what = stats?.isSymbolicLink() ? 'is a symbolic link' : stats === null ? 'does not exist' : 'is not a folder';
  throw new ModuleError('STORAGE_UNAVAILABLE', `Refusing to write into ${dir}: it ${what}`, {
    data: { path: dir, reason: stats?.isSymbolicLink() ? 'symlink' : 'not_a_folder' },
  });
}

function noFreeName(request: NameRequest): ModuleError {
  return new ModuleError('STORAGE_UNAVAILABLE', `No free file name for ${request.name(1)} in ${request.dir}`, {
    data: { path: request.dir },
  });
}

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw storageWriteError(err, file, 'checking', 'STORAGE_UNAVAILABLE');
  }
}

async function lstatOrNullAsync(file: string): Promise<Stats | null> {
  try {
    return await lstat(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw storageWriteError(err, file, 'checking', 'STORAGE_UNAVAILABLE');
  }
}
