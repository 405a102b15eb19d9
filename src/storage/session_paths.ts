import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import type { TrialPaths } from './types.js';

export interface SessionPathRequest {
  readonly basePath: string;
  readonly sessionPrefix: string;
  readonly cameraLabel: string;
  readonly perCameraSubdir?: boolean;
  /** Decided by the video writer factory ('.mkv' or '.mp4'). */
  readonly videoExtension?: string;
}

const DEFAULT_LABEL = 'camera';
const DEFAULT_PREFIX = 'session';
const MAX_LABEL_LENGTH = 64;
const MAX_PREFIX_LENGTH = 128;
/** Suffixes tried before giving up; far beyond any real session. */
const MAX_COLLISION_SUFFIX = 10_000;
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
 * becomes `<name>_2`, `_3`... with renamed set.
 */
export function resolveSessionPaths(request: SessionPathRequest): TrialPaths {
  const base = path.resolve(request.basePath);
  const label = safeName(sanitizeLabel(request.cameraLabel).slice(0, MAX_LABEL_LENGTH), DEFAULT_LABEL);
  const prefix = safeName(sanitizePrefix(request.sessionPrefix).slice(0, MAX_PREFIX_LENGTH), DEFAULT_PREFIX);
  const videoExtension = normalizeExtension(request.videoExtension ?? '.mkv');

  const outputDir = request.perCameraSubdir ? path.join(base, label) : base;
  assertInside(base, outputDir, request.perCameraSubdir ? 'camera_label' : 'base_path');
  createDirectory(outputDir);
  assertInside(realpathSync(base), realpathSync(outputDir), 'camera_label');

  const stem = request.perCameraSubdir ? prefix : `${prefix}_${label}`;
  for (let attempt = 1; attempt <= MAX_COLLISION_SUFFIX; attempt += 1) {
    const name = attempt === 1 ? stem : `${stem}_${attempt}`;
    const candidate = {
      outputDir,
      videoPath: path.join(outputDir, `${name}${videoExtension}`),
      timingPath: path.join(outputDir, `${name}_timing.csv`),
      metadataPath: path.join(outputDir, `${name}_metadata.csv`),
      renamed: attempt > 1,
    };
    for (const file of [candidate.videoPath, candidate.timingPath, candidate.metadataPath]) {
      assertInside(base, file, 'session_prefix');
    }
    if (![candidate.videoPath, candidate.timingPath, candidate.metadataPath].some((file) => existsSync(file))) {
      return candidate;
    }
  }
  throw new ModuleError('INVALID_PARAMS', `No free file name for ${stem} in ${outputDir}`, { field: 'session_prefix' });
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
