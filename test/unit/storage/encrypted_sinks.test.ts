import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EncryptedFileWriter } from '../../../src/crypto/encrypted_file_writer.js';
import { EncryptedSinkFile } from '../../../src/storage/sinks/encrypted_sink_file.js';
import { fileSinksFor, PLAIN_FILES } from '../../../src/storage/sinks/file_sinks.js';
import { expectedVideoBytesPerSecond, MIN_VIDEO_SEGMENT_BYTES, videoSegmentBytes } from '../../../src/storage/sinks/segment_choice.js';
import { MatroskaWriter } from '../../../src/storage/mkv/matroska_writer.js';
import { MkvId } from '../../../src/storage/mkv/matroska_ids.js';
import { writeMetadataCsv } from '../../../src/storage/metadata_writer.js';
import { ConfigStore } from '../../../src/config/config_store.js';
import { resolveConfig } from '../../../src/config/resolve.js';
import { ModuleError } from '../../../src/errors/codes.js';
import { createNewFile } from '../../../src/storage/name_reserver.js';
import { readElement } from '../../helpers/ebml_reader.js';
import { decryptBuffer, newSymmetricKey, patternedBytes } from '../crypto/crypto_fixtures.js';
import type { CapturedFrame } from '../../../src/camera_core/types.js';
import type { SymmetricKey } from '../../../src/crypto/symmetric_key.js';

const SEGMENT = 4096;

function frames(count: number, size: number): CapturedFrame[] {
  return Array.from({ length: count }, (_, i) => ({
    captureIndex: i, data: patternedBytes(size, `frame ${i}`),
    sensorTimestampNs: 1_000_000_000n + BigInt(i) * 33_333_333n, arrival: { monoNs: BigInt(i), unixNs: BigInt(i) }, droppedBefore: 0,
  }));
}

async function encryptedSink(file: string, key: SymmetricKey, segment = SEGMENT): Promise<{ sink: EncryptedSinkFile; writer: EncryptedFileWriter }> {
  const handle = await createNewFile(file);
  const writer = await EncryptedFileWriter.adopt(file, handle!, { kind: 'video', key, ciphertextSegmentSize: segment });
  return { sink: new EncryptedSinkFile(writer), writer };
}

describe('encrypted file sinks (the seam every content file goes through)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinks-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes appends only: a write elsewhere or a cut into written segments is refused, never done', async () => {
    const { sink } = await encryptedSink(path.join(dir, 'a.enc'), newSymmetricKey());
    await sink.writev([Buffer.alloc(5000, 1)], 0);
    expect(sink.size).to.equal(5000);
    const rewrite = await sink.write(Buffer.alloc(10), 0, 10, 100).then(() => null, (err: unknown) => err);
    expect(rewrite).to.be.instanceOf(ModuleError).and.to.have.property('kind', 'INTERNAL');
    // The last bytes still sit in the unencrypted buffer: they can be taken back; written ones cannot.
    await sink.truncate(4990);
    expect(sink.size).to.equal(4990);
    const cut = await sink.truncate(10).then(() => null, (err: unknown) => err);
    expect(cut).to.be.instanceOf(ModuleError);
    await sink.close();
  });

  it('an append-only Matroska file commits a frame only once its last byte is in a written segment, and is never patched', async () => {
    const key = newSymmetricKey();
    const file = path.join(dir, 'v.mkv.enc');
    const { sink, writer } = await encryptedSink(file, key);
    const mkv = await MatroskaWriter.open({ path: file, width: 64, height: 48, fps: 30, queueMaxFrames: 100, openFile: async () => sink, coalesceMs: 0 });
    const ends: number[] = [];
    const violations: string[] = [];
    mkv.on('committed', (count) => {
      // Every committed frame must lie inside the plaintext already in written segments.
      if (ends[count - 1] === undefined || ends[count - 1]! > writer.plaintextBytesCommitted) violations.push(`frame ${count}`);
    });
    const input = frames(40, 700);
    let end = 0;
    for (const frame of input) {
      mkv.write(frame);
      await new Promise((resolve) => setTimeout(resolve, 1));
      end = sink.size;
      ends.push(end);
    }
    const summary = await mkv.close();
    expect(violations).to.deep.equal([]);
    expect(summary.frames).to.equal(40);
    const plaintext = decryptBuffer(key, fs.readFileSync(file)).plaintext;
    // No Cues, no Duration patched in: the Segment keeps its unknown size, all 40 frames in order.
    const ebml = readElement(plaintext, 0);
    const segment = readElement(plaintext, ebml.dataStart + ebml.size!);
    expect(segment.id).to.equal(MkvId.Segment);
    // Clusters of unknown size end where the next Cluster begins: walk the elements flat.
    let offset = segment.dataStart;
    let blocks = 0;
    let cues = 0;
    while (offset < plaintext.length) {
      const element = readElement(plaintext, offset);
      if (element.id === MkvId.Cues) cues += 1;
      if (element.id === MkvId.SimpleBlock) blocks += 1;
      offset = element.id === MkvId.Cluster && element.size === null ? element.dataStart : element.dataStart + element.size!;
    }
    expect(cues).to.equal(0);
    expect(blocks).to.equal(40);
    expect(plaintext.includes(input[39]!.data)).to.equal(true);
  });

  it('every metadata rewrite is a new encrypted file with a fresh salt, renamed into place', async () => {
    const key = newSymmetricKey();
    const sinks = fileSinksFor({ enabled: true, key, source: { field: 'encryption.key_file', path: 'k', keyId: '00' }, segmentSizes: { media: SEGMENT, text: 256 } });
    const file = path.join(dir, 't_metadata.csv.enc');
    const row = (frames: number): Parameters<typeof writeMetadataCsv>[1] => ({
      camera_id: 'c', backend: 'b', name: 'n', device_path: 'd', start_time_unix: 1, end_time_unix: null, target_fps: 30, actual_fps: null,
      resolution_width: 1, resolution_height: 1, pixel_format: 'mjpeg', video_path: 'v', timing_path: 't', frames_total: frames,
      frames_dropped: 0, session_id: null, trial: 1, ffmpeg_version: 'x', video_files: 'v', gaps: '',
    });
    await writeMetadataCsv(file, row(1), sinks);
    const first = fs.readFileSync(file);
    await writeMetadataCsv(file, row(2), sinks);
    const second = fs.readFileSync(file);
    const salt = (bytes: Buffer): string => bytes.subarray(25, 57).toString('hex'); // Tink header after the 24-byte envelope
    expect(salt(first)).to.not.equal(salt(second));
    expect(decryptBuffer(key, second).plaintext.toString()).to.match(/\n(?:[^,]*,){13}2,/);
    expect(fs.readdirSync(dir)).to.deep.equal(['t_metadata.csv.enc']);
    expect(PLAIN_FILES.suffix).to.equal('');
  });

  it('apply_config cannot switch encryption on or off in a running module', () => {
    const store = new ConfigStore(resolveConfig({}));
    expect(() => store.preview({ encryption: { enabled: true } })).to.throw(ModuleError, /start-up only/);
    expect(() => store.preview({ record: { jpeg_quality: 80 } })).to.not.throw();
  });
});

describe('video segment size: about a second of data, so a crash loses about a second', () => {
  it('fits the expected rate: 1080p30 MJPEG keeps the configured 1 MiB, small and H.264 streams get smaller segments', () => {
    const mjpeg = { filePixelFormat: 'mjpeg' } as const;
    const h264 = { filePixelFormat: 'yuv420p' } as const;
    const MiB = 1024 * 1024;
    expect(videoSegmentBytes(expectedVideoBytesPerSecond(mjpeg, { width: 1920, height: 1080, fps: 30 }), MiB)).to.equal(MiB);
    const small = videoSegmentBytes(expectedVideoBytesPerSecond(mjpeg, { width: 320, height: 240, fps: 30 }), MiB);
    expect(small).to.equal(64 * 1024);
    expect(videoSegmentBytes(expectedVideoBytesPerSecond(h264, { width: 320, height: 240, fps: 30 }), MiB)).to.equal(MIN_VIDEO_SEGMENT_BYTES);
    expect(videoSegmentBytes(expectedVideoBytesPerSecond(h264, { width: 1920, height: 1080, fps: 30 }), MiB)).to.equal(256 * 1024);
    // Never above what the operator configured, never below the floor (unless the operator set less).
    expect(videoSegmentBytes(5 * MiB, 4096)).to.equal(4096);
    expect(videoSegmentBytes(10, MiB)).to.equal(MIN_VIDEO_SEGMENT_BYTES);
  });
});
