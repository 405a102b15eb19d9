import type { FfmpegCapabilities } from './types.js';
import { isAtLeast } from './version.js';

/**
 * Names from `-muxers` / `-demuxers` listings. Lines look like "  E tee  Multiple muxer tee"
 * or " D  video4linux2,v4l2  Video4Linux2 device grab"; from 6.1 a device column ("d") may
 * follow the D/E flags. Comma-separated aliases are all returned.
 */
export function parseFormatNames(listing: string): Set<string> {
  const names = new Set<string>();
  for (const line of linesAfterSeparator(listing)) {
    const tokens = line.trim().split(/\s+/);
    let index = 0;
    while (index < tokens.length - 1 && /^[DEd.]{1,3}$/.test(tokens[index] ?? '')) index += 1;
    if (index === 0) continue;
    for (const name of (tokens[index] ?? '').split(',')) if (name) names.add(name);
  }
  return names;
}

/** Names from `-encoders`: " V....D libx264  libx264 H.264 ...". */
export function parseEncoderNames(listing: string): Set<string> {
  const names = new Set<string>();
  for (const line of linesAfterSeparator(listing)) {
    const match = /^\s*[VASD][A-Z.]{5}\s+(\S+)/.exec(line);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

export interface CapabilityListings {
  readonly muxers: Set<string>;
  readonly demuxers: Set<string>;
  readonly encoders: Set<string>;
}

export function capabilitiesFrom(version: { major: number; minor: number }, listings: CapabilityListings): FfmpegCapabilities {
  return {
    fpsModeFlag: isAtLeast(version, 5, 1) ? '-fps_mode' : '-vsync',
    hasTeeMuxer: listings.muxers.has('tee'),
    hasLibx264: listings.encoders.has('libx264'),
    hasMjpegEncoder: listings.encoders.has('mjpeg'),
    hasV4l2: listings.demuxers.has('v4l2') || listings.demuxers.has('video4linux2'),
  };
}

/** The legend above the list ends with a line of dashes ("--" or " ------"). */
function linesAfterSeparator(listing: string): string[] {
  const lines = listing.split(/\r?\n/);
  const separator = lines.findIndex((line) => /^\s*-{2,}\s*$/.test(line));
  return separator < 0 ? lines : lines.slice(separator + 1);
}
