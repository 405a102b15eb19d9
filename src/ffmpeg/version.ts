export interface FfmpegVersion {
  /** The token after "ffmpeg version" ("5.1.9-0+deb12u1", "N-47683-g0e8eb07980-static"). */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
}

/**
 * libavformat version → the ffmpeg release that shipped it, for git builds whose version
 * string has no release number. Each entry is [libavformat minor at the release, ffmpeg minor].
 */
const RELEASES_BY_LAVF_MAJOR: Readonly<Record<number, { ffmpegMajor: number; minors: readonly [number, number][] }>> = {
  57: { ffmpegMajor: 3, minors: [[25, 0], [56, 1], [71, 2], [83, 3], [83, 4]] },
  58: { ffmpegMajor: 4, minors: [[12, 0], [20, 1], [29, 2], [45, 3], [76, 4]] },
  59: { ffmpegMajor: 5, minors: [[16, 0], [27, 1]] },
  60: { ffmpegMajor: 6, minors: [[3, 0], [16, 1]] },
  61: { ffmpegMajor: 7, minors: [[1, 0], [7, 1]] },
  62: { ffmpegMajor: 8, minors: [[3, 0]] },
};

/** Reads `ffmpeg -version` (or ffprobe's) output; null when it is not such output. */
export function parseVersionOutput(output: string, program = 'ffmpeg'): FfmpegVersion | null {
  const header = new RegExp(`^${program} version (\\S+)`, 'm').exec(output);
  if (!header?.[1]) return null;
  const version = header[1];
  const release = /^n?(\d+)\.(\d+)/.exec(version);
  if (release) return { version, major: Number(release[1]), minor: Number(release[2]) };
  const lavf = /^libavformat\s+(\d+)\.\s*(\d+)\./m.exec(output);
  if (!lavf) return null;
  const derived = releaseForLibavformat(Number(lavf[1]), Number(lavf[2]));
  return { version, ...derived };
}

export function releaseForLibavformat(lavfMajor: number, lavfMinor: number): { major: number; minor: number } {
  const table = RELEASES_BY_LAVF_MAJOR[lavfMajor];
  // Beyond the table the pattern since 4.0 holds: libavformat major = ffmpeg major + 54.
  if (!table) return { major: Math.max(0, lavfMajor - 54), minor: 0 };
  let minor = 0;
  for (const [lavfAtRelease, ffmpegMinor] of table.minors) {
    if (lavfMinor >= lavfAtRelease) minor = ffmpegMinor;
  }
  return { major: table.ffmpegMajor, minor };
}

export function isAtLeast(version: { major: number; minor: number }, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}
