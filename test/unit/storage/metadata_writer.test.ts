import { expect } from 'chai';
import { lstatSync, watch, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { METADATA_COLUMNS, writeMetadataCsv, type TrialMetadata } from '../../../src/storage/metadata_writer.js';

const start: TrialMetadata = {
  camera_id: 'v4l2:usb-1', backend: 'v4l2', name: 'HD, "Pro" Webcam', device_path: '/dev/video0',
  start_time_unix: '1700000000.123457', end_time_unix: null, target_fps: 30, actual_fps: null,
  resolution_width: 1920, resolution_height: 1080, pixel_format: 'mjpeg', video_path: '/r/a.mkv', timing_path: '/r/a_timing.csv',
  frames_total: null, frames_dropped: null, session_id: null, trial: 2, ffmpeg_version: '5.1.9', video_files: 'a.mkv', gaps: '',
};

describe('metadata CSV', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'meta-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a header and one row, leaving what is not known yet empty', async () => {
    const file = path.join(dir, 'm.csv');
    await writeMetadataCsv(file, start);
    const text = readFileSync(file, 'utf8');
    const [header] = text.split('\n');
    expect(header).to.equal(METADATA_COLUMNS.join(','));
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.data).to.have.length(1);
    expect(parsed.data[0]!['name']).to.equal('HD, "Pro" Webcam');
    expect(parsed.data[0]!['end_time_unix']).to.equal('');
    expect(parsed.data[0]!['frames_total']).to.equal('');
  });

  it('rewrites the file whole, through a temp file that does not stay behind', async () => {
    const file = path.join(dir, 'm.csv');
    await writeMetadataCsv(file, start);
    await writeMetadataCsv(file, { ...start, end_time_unix: '1700000010.000000', frames_total: 300, frames_dropped: 1, actual_fps: '29.970', video_files: 'a.mkv;a_part2.mkv' });
    const parsed = Papa.parse<Record<string, string>>(readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true });
    expect(parsed.data).to.have.length(1);
    expect(parsed.data[0]!['frames_total']).to.equal('300');
    expect(parsed.data[0]!['video_files']).to.equal('a.mkv;a_part2.mkv');
    expect(readdirSync(dir)).to.deep.equal(['m.csv']);
  });

  it('ignores links planted at the old predictable temp name and at random-looking ones: nothing is written outside the folder', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'meta-outside-'));
    try {
      const victim = path.join(outside, 'victim.txt');
      writeFileSync(victim, 'untouched');
      const file = path.join(dir, 'm.csv');
      const planted = [
        `.m.csv.${process.pid}.tmp`,
        ...['0000000000000000', 'ffffffffffffffff', '0123456789abcdef'].map((hex) => `.m.csv.${hex}.tmp`),
      ];
      planted.forEach((name, i) => symlinkSync(i === 0 ? victim : path.join(outside, `new${i}.txt`), path.join(dir, name)));
      await writeMetadataCsv(file, start);
      await writeMetadataCsv(file, { ...start, frames_total: 3 });
      expect(readFileSync(victim, 'utf8')).to.equal('untouched');
      expect(readdirSync(outside)).to.deep.equal(['victim.txt']);
      for (const name of planted) expect(lstatSync(path.join(dir, name)).isSymbolicLink()).to.equal(true);
      expect(lstatSync(file).isFile()).to.equal(true);
      expect(readFileSync(file, 'utf8')).to.contain(',3,');
      expect(readdirSync(dir).sort()).to.deep.equal([...planted, 'm.csv'].sort(), 'no temp file stays behind');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('uses a new random temp name each time, not one derived from the pid', async () => {
    const file = path.join(dir, 'm.csv');
    const temps = new Set<string>();
    const watcher = watch(dir, (_event, name) => {
      if (name !== null && String(name).endsWith('.tmp')) temps.add(String(name));
    });
    try {
      for (let i = 0; i < 5; i += 1) await writeMetadataCsv(file, { ...start, frames_total: i });
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      watcher.close();
    }
    expect(temps.size).to.equal(5);
    for (const name of temps) expect(name).to.match(/^\.m\.csv\.[0-9a-f]{16}\.tmp$/).and.not.contain(String(process.pid));
    expect(readdirSync(dir)).to.deep.equal(['m.csv']);
  });

  it('reports a folder that cannot be written as STORAGE_UNAVAILABLE', async () => {
    let error: unknown = null;
    await writeMetadataCsv(path.join(dir, 'missing', 'm.csv'), start).catch((err: unknown) => { error = err; });
    expect(error).to.have.property('kind', 'STORAGE_UNAVAILABLE');
  });
});
