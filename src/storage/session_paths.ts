import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import { NameReserver, numberedName } from './name_reserver.js';
import type { TrialPaths } from './types.js';

export interface SessionPathRequest {
  readonly basePath: string;
  readonly sessionPrefix: string;
  readonly cameraLabel: string;
  readonly perCameraSubdir?: boolean;
  /** Decided by the video writer factory ('.mkv' or '.mp4'). */
  readonly videoExtension?: string;
  /**
   * The trial's own tag (`trial002`): kept whole in every name, however long the prefix;
   * the prefix is shortened before it. Absent: a trailing `_trial<N>` of sessionPrefix is
   * taken as the tag (how the bridge builds prefixes).
   */
  readonly trialTag?: string;
  /** Decides which names are free (default: one with the default later suffixes). */
  readonly reserver?: NameReserver;
}

/** The endings of a trial's three files after their shared name. */
export const TIMING_ENDING = '_timing.csv';
export const METADATA_ENDING = '_metadata.csv';

const DEFAULT_LABEL = 'camera';
const DEFAULT_PREFIX = 'session';
const MAX_LABEL_LENGTH = 64;
const MAX_PREFIX_LENGTH = 128;
const TRAILING_TRIAL_TAG = /^(?:(.*)_)?(trial\d+)$/i;
const defaultReserver = new NameReserver();
/** Names Windows reserves for devices, with or without an extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/** Seed P3.1: runs of anything but letters and digits become '_', lowercase, no outer '_'. */
export function sanitizeLabel(label: string): string {
  return label.replace(/[^a-zA-Z0-9]+/g, '_').toLowerCase().replace(/^_+|_+$/g, '');
}

/**
 * Like sanitizeLabel, but a prefix keeps its case and dashes ("Pilot-03_trial001"); a
 * leading dash goes too, so no file name reads as a command-line option.
 */
export function sanitizePrefix(prefix: string): string {
  return prefix.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[_-]+|_+$/g, '');
}

/**
 * Where one camera's trial goes: `<base>/<prefix>_<label>.mkv`, `_timing.csv`,
 * `_metadata.csv`, or `<base>/<label>/<prefix>...` with a per-camera folder. Creates the
 * folder, never leaves basePath, and never names an existing recording: a taken name
 * becomes `<name>_2`, `_3`... with renamed set (NameReserver decides). The names are only
 * chosen here; the trial recorder reserves (creates) them when it starts.
 */
export function resolveSessionPaths(request: SessionPathRequest): TrialPaths {
  const base = path.resolve(request.basePath);
  const label = safeName(sanitizeLabel(request.cameraLabel).slice(0, MAX_LABEL_LENGTH), DEFAULT_LABEL);
  const prefix = safeName(boundedPrefix(request.sessionPrefix, request.trialTag), DEFAULT_PREFIX);
  const videoExtension = normalizeExtension(request.videoExtension ?? '.mkv');

  const outputDir = request.perCameraSubdir ? path.join(base, label) : base;
  assertInside(base, outputDir, request.perCameraSubdir ? 'camera_label' : 'base_path');
  createDirectory(outputDir);
  assertInside(realpathSync(base), realpathSync(outputDir), 'camera_label');

  const stem = request.perCameraSubdir ? prefix : `${prefix}_${label}`;
  for (const ending of [videoExtension, TIMING_ENDING, METADATA_ENDING]) {
    assertInside(base, path.join(outputDir, `${stem}${ending}`), 'session_prefix');
  }
  const { name, renamed } = (request.reserver ?? defaultReserver).firstFreeName({
    dir: outputDir, name: numberedName(stem), endings: [videoExtension, TIMING_ENDING, METADATA_ENDING],
    refuseSymlinkDir: request.perCameraSubdir === true,
  });
  return { outputDir, ...trialFilePaths(outputDir, name, videoExtension), renamed };
}

/** The three files of a trial named `name` in `dir`. */
export function trialFilePaths(dir: string, name: string, videoExtension: string): Omit<TrialPaths, 'outputDir' | 'renamed'> {
  return {
    videoPath: path.join(dir, `${name}${videoExtension}`),
    timingPath: path.join(dir, `${name}${TIMING_ENDING}`),
    metadataPath: path.join(dir, `${name}${METADATA_ENDING}`),
  };
}

/**
 * The sanitized prefix, at most MAX_PREFIX_LENGTH long. A long prefix loses characters
 * before the trial tag, never the tag: cutting it would give two trials one name.
 */
function boundedPrefix(sessionPrefix: string, trialTag: string | undefined): string {
  const clean = sanitizePrefix(sessionPrefix);
  const split = trialTag === undefined ? TRAILING_TRIAL_TAG.exec(clean) : null;
  const tag = trialTag === undefined ? (split?.[2] ?? '') : sanitizePrefix(trialTag);
  const head = trialTag === undefined ? (split ? (split[1] ?? '') : clean) : clean;
  if (tag === '') return head.slice(0, MAX_PREFIX_LENGTH);
  const room = Math.max(0, MAX_PREFIX_LENGTH - tag.length - 1);
  const shortHead = head.slice(0, room).replace(/_+$/, '');
  return shortHead === '' ? tag.slice(0, MAX_PREFIX_LENGTH) : `${shortHead}_${tag}`;
}

/** `<dir>/<stem>_partN<ext>` for the Nth video part of a trial whose first part is videoPath. */
export function videoPartPath(videoPath: string, part: number, extension: string = path.extname(videoPath)): string {
  const stem = videoPath.slice(0, videoPath.length - path.extname(videoPath).length);
  return `${stem}_part${part}${normalizeExtension(extension)}`;
}

/** The same path with another extension (the writer factory picks the container). */
export function withExtension(filePath: string, extension: string): string {
  const stem = filePath.slice(0, filePath.length - path.extname(filePath).length);
  return `${stem}${normalizeExtension(extension)}`;
}

function safeName(name: string, fallback: string): string {
  const chosen = name.length > 0 ? name : fallback;
  return WINDOWS_RESERVED.test(chosen) ? `${chosen}_` : chosen;
}

function normalizeExtension(extension: string): string {
  const bare = extension.replace(/^\.+/, '');
  if (!/^[A-Za-z0-9]{1,8}$/.test(bare)) {
    throw new ModuleError('INVALID_PARAMS', `Bad video extension: ${JSON.stringify(extension)}`, { field: 'video_extension' });
  }
  return `.${bare}`;
}

function assertInside(base: string, candidate: string, field: string): void {
  const relative = path.relative(base, candidate);
  const escapes = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (!escapes) return;
  throw new ModuleError('INVALID_PARAMS', `Output path ${candidate} would leave ${base}`, { field });
}

function createDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new ModuleError('STORAGE_UNAVAILABLE', `Cannot create output folder ${dir}: ${(err as Error).message}`, {
      cause: err, data: { path: dir },
    });
  }
}
