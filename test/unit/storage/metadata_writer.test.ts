import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

  it('reports a folder that cannot be written as STORAGE_UNAVAILABLE', async () => {
    let error: unknown = null;
    await writeMetadataCsv(path.join(dir, 'missing', 'm.csv'), start).catch((err: unknown) => { error = err; });
    expect(error).to.have.property('kind', 'STORAGE_UNAVAILABLE');
  });
});
