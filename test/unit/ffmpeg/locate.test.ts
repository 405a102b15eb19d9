import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { rejectionOf } from '../../helpers/rejection.js';
import { FfmpegLocator, FFMPEG_PATH_ENV } from '../../../src/ffmpeg/locate.js';
import { FfprobeLocator, FFPROBE_PATH_ENV } from '../../../src/ffmpeg/locate_ffprobe.js';
import { FakeSpawner, type FakeBehaviour } from '../../helpers/fake_spawner.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../../test/fixtures/ffmpeg/${name}`, import.meta.url), 'utf8');

/** A machine where the named files exist; each answers like the ffmpeg build it is mapped to. */
function machine(binaries: Record<string, '5.1' | '4.1' | 'broken' | 'not-ffmpeg' | 'ffprobe'>) {
  const spawner = new FakeSpawner((command, args): FakeBehaviour => {
    const kind = binaries[command];
    if (kind === undefined) return { spawnError: 'ENOENT' };
    if (kind === 'broken') return { stderr: 'error while loading shared libraries: libavdevice.so.59\n', code: 127 };
    if (kind === 'not-ffmpeg') return { stdout: 'Usage: something else\n' };
    if (kind === 'ffprobe') return { stdout: 'ffprobe version 5.1.9-0+deb12u1 Copyright\n' };
    const flag = args[args.length - 1] ?? '';
    const file = flag === '-version' ? (kind === '5.1' ? 'version-5.1-debian.txt' : 'version-4.1-git-static.txt') : `${flag.slice(1)}-${kind}.txt`;
    return { stdout: fixture(file) };
  });
  const isExecutable = async (file: string): Promise<boolean> => file in binaries;
  return { spawner, isExecutable };
}

function packages(paths: Record<string, unknown>) {
  return async (specifier: string): Promise<unknown> => {
    if (!(specifier in paths)) throw new Error(`Cannot find package '${specifier}' imported from locate.js`);
    const value = paths[specifier];
    if (typeof value === 'string' && value.startsWith('throw:')) throw value.slice('throw:'.length);
    return value;
  };
}

const NO_PACKAGES = packages({});

describe('FfmpegLocator', () => {
  it('prefers the config path over everything else', async () => {
    const m = machine({ '/opt/ff/ffmpeg': '4.1', '/env/ffmpeg': '5.1', '/usr/bin/ffmpeg': '5.1' });
    const info = await new FfmpegLocator({
      configPath: '/opt/ff/ffmpeg',
      env: { [FFMPEG_PATH_ENV]: '/env/ffmpeg', PATH: '/usr/bin' },
      platform: 'linux',
      ...m,
      importModule: NO_PACKAGES,
    }).locate();
    expect(info).to.deep.include({ path: '/opt/ff/ffmpeg', source: 'config', major: 4, minor: 1, version: 'N-47683-g0e8eb07980-static' });
    expect(info.capabilities).to.deep.equal({
      fpsModeFlag: '-vsync',
      hasTeeMuxer: true,
      hasLibx264: true,
      hasMjpegEncoder: true,
      hasV4l2: true,
    });
    expect(m.spawner.commands()).to.deep.equal(['/opt/ff/ffmpeg']);
  });

  it('falls through env → ffmpeg-static → PATH → @ffmpeg-installer in that order', async () => {
    const m = machine({ '/installer/ffmpeg': '4.1' });
    const info = await new FfmpegLocator({
      configPath: '/missing/ffmpeg',
      env: { [FFMPEG_PATH_ENV]: '/env/ffmpeg', PATH: '/usr/local/bin:/usr/bin' },
      platform: 'linux',
      ...m,
      importModule: packages({ 'ffmpeg-static': { default: '/static/ffmpeg' }, '@ffmpeg-installer/ffmpeg': { default: { path: '/installer/ffmpeg' } } }),
    }).locate();
    expect(info).to.include({ path: '/installer/ffmpeg', source: '@ffmpeg-installer/ffmpeg' });
  });

  it('takes ffmpeg-static before PATH, and PATH before @ffmpeg-installer', async () => {
    const m = machine({ '/static/ffmpeg': '5.1', '/usr/bin/ffmpeg': '5.1', '/installer/ffmpeg': '4.1' });
    const importModule = packages({ 'ffmpeg-static': { default: '/static/ffmpeg' }, '@ffmpeg-installer/ffmpeg': { default: { path: '/installer/ffmpeg' } } });
    const options = { env: { PATH: '/usr/bin' }, platform: 'linux' as const, ...m, importModule };
    expect(await new FfmpegLocator(options).locate()).to.include({ source: 'ffmpeg-static', path: '/static/ffmpeg', major: 5 });

    const withoutStatic = packages({ 'ffmpeg-static': { default: null }, '@ffmpeg-installer/ffmpeg': { default: { path: '/installer/ffmpeg' } } });
    const info = await new FfmpegLocator({ ...options, importModule: withoutStatic }).locate();
    expect(info).to.include({ source: 'path', path: '/usr/bin/ffmpeg' });
    expect(info.capabilities.fpsModeFlag).to.equal('-fps_mode');
  });

  it('searches PATH itself, directory by directory, with .exe on Windows', async () => {
    const m = machine({ 'C:\\tools\\ffmpeg.exe': '5.1' });
    const info = await new FfmpegLocator({ env: { Path: 'C:\\nothing;C:\\tools' }, platform: 'win32', ...m, importModule: NO_PACKAGES }).locate();
    expect(info).to.include({ source: 'path', path: 'C:\\tools\\ffmpeg.exe' });
  });

  it('runs -version, then the muxer, demuxer and encoder lists, and nothing more', async () => {
    const m = machine({ '/usr/bin/ffmpeg': '5.1' });
    await new FfmpegLocator({ env: { PATH: '/usr/bin' }, platform: 'linux', ...m, importModule: NO_PACKAGES }).locate();
    expect(m.spawner.calls.map((call) => call.args.join(' ')).sort()).to.deep.equal(
      ['-version', '-hide_banner -muxers', '-hide_banner -demuxers', '-hide_banner -encoders'].sort(),
    );
  });

  it('detects once per locator', async () => {
    const m = machine({ '/usr/bin/ffmpeg': '5.1' });
    const locator = new FfmpegLocator({ env: { PATH: '/usr/bin' }, platform: 'linux', ...m, importModule: NO_PACKAGES });
    const [a, b] = await Promise.all([locator.locate(), locator.locate()]);
    await locator.locate();
    expect(a).to.equal(b);
    expect(m.spawner.calls).to.have.length(4);
  });

  it('fails with FFMPEG_NOT_FOUND naming every place tried and why', async () => {
    const m = machine({ '/env/ffmpeg': 'broken', '/usr/bin/ffmpeg': 'not-ffmpeg' });
    const locator = new FfmpegLocator({
      configPath: '/cfg/ffmpeg',
      env: { [FFMPEG_PATH_ENV]: '/env/ffmpeg', PATH: '/usr/bin:/bin' },
      platform: 'linux',
      ...m,
      importModule: packages({ '@ffmpeg-installer/ffmpeg': 'throw:Could not find ffmpeg executable, tried "/x/ffmpeg"' }),
    });
    const moduleError = await rejectionOf(locator.locate());
    expect(moduleError.kind).to.equal('FFMPEG_NOT_FOUND');
    expect(moduleError.code).to.equal(-1013);
    const text = moduleError.message;
    const expected = [
      '1. config ffmpeg.path (/cfg/ffmpeg): does not exist or is not executable',
      `2. environment variable ${FFMPEG_PATH_ENV} (/env/ffmpeg): -version failed: exited with code 127: error while loading shared libraries`,
      "3. package ffmpeg-static: package not usable (Cannot find package 'ffmpeg-static'",
      '4. PATH (/usr/bin/ffmpeg): does not answer -version like ffmpeg: "Usage: something else"',
      '5. package @ffmpeg-installer/ffmpeg: package not usable (Could not find ffmpeg executable, tried "/x/ffmpeg")',
    ];
    for (const part of expected) expect(text).to.include(part);
    expect(text.indexOf('1. ')).to.be.below(text.indexOf('5. '));
    expect(moduleError.data?.tried).to.have.length(5);
  });

  it('says "not set" for empty steps and lists the PATH directories searched', async () => {
    const m = machine({});
    const error = await rejectionOf(new FfmpegLocator({ env: { PATH: '/a:/b' }, platform: 'linux', ...m, importModule: NO_PACKAGES })
      .locate()
      );
    expect(error.message).to.include('1. config ffmpeg.path: not set');
    expect(error.message).to.include(`2. environment variable ${FFMPEG_PATH_ENV}: not set`);
    expect(error.message).to.include('4. PATH: no ffmpeg in /a:/b');
  });

  it('reports a spawn failure of a file that exists', async () => {
    const m = machine({});
    const locator = new FfmpegLocator({
      configPath: '/cfg/ffmpeg',
      env: {},
      platform: 'linux',
      spawner: m.spawner,
      isExecutable: async (file) => file === '/cfg/ffmpeg',
      importModule: NO_PACKAGES,
    });
    const error = await rejectionOf(locator.locate());
    expect(error.message).to.include('1. config ffmpeg.path (/cfg/ffmpeg): -version failed: spawn ENOENT');
    expect(error.message).to.include('4. PATH: PATH is empty');
  });
});

describe('FfprobeLocator', () => {
  it('prefers the environment variable, then the directory of ffmpeg, then PATH, then the package', async () => {
    const all = { '/env/ffprobe': 'ffprobe', '/opt/ff/ffprobe': 'ffprobe', '/usr/bin/ffprobe': 'ffprobe', '/pkg/ffprobe': 'ffprobe' } as const;
    const importModule = packages({ '@ffprobe-installer/ffprobe': { default: { path: '/pkg/ffprobe' } } });
    const base = { platform: 'linux' as const, importModule };
    const locate = (binaries: Record<string, 'ffprobe'>, env: Record<string, string>) =>
      new FfprobeLocator({ ...base, ...machine(binaries), env: { PATH: '/usr/bin', ...env } }).locate('/opt/ff/ffmpeg');
    expect(await locate(all, { [FFPROBE_PATH_ENV]: '/env/ffprobe' })).to.include({ source: 'env', path: '/env/ffprobe' });
    expect(await locate(all, {})).to.include({ source: 'beside-ffmpeg', path: '/opt/ff/ffprobe', version: '5.1.9-0+deb12u1' });
    const { '/opt/ff/ffprobe': _beside, ...notBeside } = all;
    expect(await locate(notBeside, {})).to.include({ source: 'path', path: '/usr/bin/ffprobe' });
    expect(await locate({ '/pkg/ffprobe': 'ffprobe' }, {})).to.include({ source: '@ffprobe-installer/ffprobe' });
  });

  it('fails with a message naming every place tried', async () => {
    const error = await rejectionOf(new FfprobeLocator({ platform: 'linux', env: { PATH: '/usr/bin' }, ...machine({}), importModule: NO_PACKAGES })
      .locate('/opt/ff/ffmpeg')
      );
    expect(error.kind).to.equal('FFMPEG_NOT_FOUND');
    expect(error.message).to.include('ffprobe was not found');
    expect(error.message).to.include('2. next to ffmpeg (/opt/ff/ffprobe): does not exist or is not executable');
    expect(error.message).to.include('3. PATH: no ffprobe in /usr/bin');
    expect(error.message).to.include('4. package @ffprobe-installer/ffprobe');
  });
});
