import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { capabilitiesFrom, parseEncoderNames, parseFormatNames } from '../../../src/ffmpeg/capabilities.js';
import { parseVersionOutput, releaseForLibavformat } from '../../../src/ffmpeg/version.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../../test/fixtures/ffmpeg/${name}`, import.meta.url), 'utf8');

describe('ffmpeg version and capabilities', () => {
  it('reads a release version (Debian 5.1)', () => {
    expect(parseVersionOutput(fixture('version-5.1-debian.txt'))).to.deep.equal({ version: '5.1.9-0+deb12u1', major: 5, minor: 1 });
  });

  it('derives the release of a git build from libavformat (static 4.1)', () => {
    expect(parseVersionOutput(fixture('version-4.1-git-static.txt'))).to.deep.equal({
      version: 'N-47683-g0e8eb07980-static',
      major: 4,
      minor: 1,
    });
  });

  it('maps libavformat majors to ffmpeg releases', () => {
    expect(releaseForLibavformat(58, 76)).to.deep.equal({ major: 4, minor: 4 });
    expect(releaseForLibavformat(59, 27)).to.deep.equal({ major: 5, minor: 1 });
    expect(releaseForLibavformat(59, 20)).to.deep.equal({ major: 5, minor: 0 });
    expect(releaseForLibavformat(60, 16)).to.deep.equal({ major: 6, minor: 1 });
    expect(releaseForLibavformat(61, 7)).to.deep.equal({ major: 7, minor: 1 });
    expect(releaseForLibavformat(63, 0)).to.deep.equal({ major: 9, minor: 0 });
  });

  it('accepts "n"-prefixed release tags and rejects other programs', () => {
    expect(parseVersionOutput('ffmpeg version n6.1.1 Copyright')).to.include({ major: 6, minor: 1 });
    expect(parseVersionOutput('ffprobe version 5.1.9 Copyright')).to.equal(null);
    expect(parseVersionOutput('ffprobe version 5.1.9 Copyright', 'ffprobe')).to.include({ major: 5, minor: 1 });
    expect(parseVersionOutput('bash: ffmpeg: command not found')).to.equal(null);
  });

  for (const version of ['4.1', '5.1']) {
    it(`finds tee, mjpeg, libx264 and v4l2 in the ${version} listings`, () => {
      const muxers = parseFormatNames(fixture(`muxers-${version}.txt`));
      const demuxers = parseFormatNames(fixture(`demuxers-${version}.txt`));
      const encoders = parseEncoderNames(fixture(`encoders-${version}.txt`));
      expect(muxers.has('tee') && muxers.has('framecrc') && muxers.has('mjpeg')).to.equal(true);
      expect(demuxers.has('v4l2') && demuxers.has('lavfi')).to.equal(true);
      expect(encoders.has('mjpeg') && encoders.has('libx264')).to.equal(true);
      expect(muxers.has('=')).to.equal(false);
    });
  }

  it('reads the 6.1 listing layout with a device column', () => {
    const listing = 'Formats:\n D. = Demuxing supported\n --\n D  d lavfi           Libavfilter virtual input device\n  E   tee   Multiple muxer tee\n';
    const names = parseFormatNames(listing);
    expect([...names]).to.deep.equal(['lavfi', 'tee']);
  });

  it('chooses -fps_mode from 5.1 on and -vsync before', () => {
    const none = { muxers: new Set<string>(), demuxers: new Set<string>(), encoders: new Set<string>() };
    expect(capabilitiesFrom({ major: 5, minor: 1 }, none).fpsModeFlag).to.equal('-fps_mode');
    expect(capabilitiesFrom({ major: 5, minor: 0 }, none).fpsModeFlag).to.equal('-vsync');
    expect(capabilitiesFrom({ major: 4, minor: 4 }, none).fpsModeFlag).to.equal('-vsync');
    expect(capabilitiesFrom({ major: 7, minor: 0 }, none)).to.deep.equal({
      fpsModeFlag: '-fps_mode',
      hasTeeMuxer: false,
      hasLibx264: false,
      hasMjpegEncoder: false,
      hasV4l2: false,
    });
  });
});
