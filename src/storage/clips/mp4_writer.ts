import { open } from 'node:fs/promises';
import type { WritableFile } from '../mkv/writable_file.js';
import { skipBytes } from '../../crypto/byte_queue.js';

/** ms: the same pts unit as every Matroska file and timing CSV of this module. */
export const MP4_TIMESCALE = 1000;

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...payload);
}

function u32s(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeUInt32BE(value >>> 0, i * 4));
  return buffer;
}

function u16s(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 2);
  values.forEach((value, i) => buffer.writeUInt16BE(value & 0xffff, i * 2));
  return buffer;
}

const MATRIX = u32s(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);
const FTYP = box('ftyp', Buffer.from('isom', 'latin1'), u32s(0x200), Buffer.from('isomiso2mp41', 'latin1'));
/** 64-bit mdat header: size 1, then the real size (known: each mdat holds one batch). */
const MDAT_HEADER_LENGTH = 16;

/** MPEG-4 descriptor: tag, one length byte (all ours are < 128 bytes), payload. */
function descriptor(tag: number, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}

/** ISO/IEC 14496-1 objectTypeIndication for JPEG (as ffmpeg writes MJPEG into MP4). */
const OBJECT_TYPE_JPEG = 0x6c;

function esds(maxFrameBytes: number, avgBitrate: number, maxBitrate: number): Buffer {
  const decoderConfig = descriptor(0x04, Buffer.from([OBJECT_TYPE_JPEG, (0x04 << 2) | 1]),
    Buffer.from([(maxFrameBytes >> 16) & 0xff, (maxFrameBytes >> 8) & 0xff, maxFrameBytes & 0xff]), u32s(maxBitrate, avgBitrate));
  const slConfig = descriptor(0x06, Buffer.from([0x02]));
  return fullBox('esds', 0, 0, descriptor(0x03, u16s(1), Buffer.from([0]), decoderConfig, slConfig));
}

export interface Mp4TrackInfo {
  readonly width: number;
  readonly height: number;
  /** Nominal rate: the last frame lasts one nominal interval. */
  readonly fps: number;
}

/**
 * An MP4 holding MJPEG frames exactly as given (stream copy), written by node strictly
 * front to back, so an append-only (encrypted) file can hold it: ftyp, then one mdat per
 * append() (one chunk: its size is known when it is written), and the moov once the last
 * frame is in. Only the index (sizes, pts, chunk offsets) is kept in memory, never frames.
 * Sample times are the pts passed in, in ms. The file is the caller's temp name until complete.
 */
export class Mp4ClipWriter {
  private readonly sizes: number[] = [];
  private readonly pts: number[] = [];
  /** Per chunk: where its first frame starts in the file, and how many frames it holds. */
  private readonly chunks: Array<{ offset: number; frames: number }> = [];
  private position = 0;
  private closed = false;

  private constructor(readonly path: string, private readonly file: WritableFile, private readonly track: Mp4TrackInfo) {}

  /** Into `file` (a reserved file from the sinks), or a new file created exclusively ('wx'). */
  static async create(path: string, track: Mp4TrackInfo, file?: WritableFile): Promise<Mp4ClipWriter> {
    const target = file ?? (await open(path, 'wx'));
    const writer = new Mp4ClipWriter(path, target, track);
    try {
      await writer.appendBytes([FTYP]);
    } catch (err) {
      await target.close().catch(() => undefined);
      throw err;
    }
    return writer;
  }

  get frames(): number {
    return this.sizes.length;
  }

  /** Appends frames as one chunk; each pts (ms) must be above the previous one. */
  async append(frames: ReadonlyArray<{ readonly data: Buffer; readonly pts: number }>): Promise<void> {
    if (frames.length === 0) return;
    let previous = this.pts.at(-1);
    for (const frame of frames) {
      if (previous !== undefined && frame.pts <= previous) throw new Error(`pts ${frame.pts} does not follow ${previous}`);
      previous = frame.pts;
    }
    const payload = frames.reduce((sum, frame) => sum + frame.data.length, 0);
    const mdatHead = Buffer.alloc(MDAT_HEADER_LENGTH);
    mdatHead.writeUInt32BE(1, 0);
    mdatHead.write('mdat', 4, 'latin1');
    mdatHead.writeBigUInt64BE(BigInt(MDAT_HEADER_LENGTH + payload), 8);
    const offset = this.position + MDAT_HEADER_LENGTH;
    await this.appendBytes([mdatHead, ...frames.map((frame) => frame.data)]);
    this.chunks.push({ offset, frames: frames.length });
    for (const frame of frames) {
      this.pts.push(frame.pts);
      this.sizes.push(frame.data.length);
    }
  }

  /** Writes the index, syncs and closes. Resolves with the frames and the (plaintext) size. */
  async finish(): Promise<{ frames: number; bytes: number }> {
    await this.appendBytes([this.moov()]);
    await this.file.sync();
    await this.close();
    return { frames: this.sizes.length, bytes: this.position };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }

  /** Writes at the end, continuing after short writes. */
  private async appendBytes(buffers: Buffer[]): Promise<void> {
    let rest = buffers;
    let total = rest.reduce((sum, buffer) => sum + buffer.length, 0);
    while (total > 0) {
      const { bytesWritten } = await this.file.writev(rest, this.position);
      if (bytesWritten <= 0) throw new Error('writev made no progress');
      this.position += bytesWritten;
      total -= bytesWritten;
      rest = skipBytes(rest, bytesWritten);
    }
  }

  private moov(): Buffer {
    const { width, height, fps } = this.track;
    const count = this.sizes.length;
    const nominal = Math.max(1, Math.round(MP4_TIMESCALE / fps));
    const durations = this.pts.map((pts, i) => (i + 1 < count ? this.pts[i + 1]! - pts : nominal));
    const duration = count === 0 ? 0 : this.pts[count - 1]! - this.pts[0]! + durations[count - 1]!;
    const runs: Array<[number, number]> = [];
    for (const delta of durations) {
      const last = runs.at(-1);
      if (last !== undefined && last[1] === delta) last[0] += 1;
      else runs.push([1, delta]);
    }
    const totalBytes = this.sizes.reduce((sum, n) => sum + n, 0);
    const maxFrame = this.sizes.reduce((max, n) => Math.max(max, n), 0);
    const seconds = duration / MP4_TIMESCALE;
    const avgBitrate = seconds > 0 ? Math.min(0xffffffff, Math.round((totalBytes * 8) / seconds)) : 0;
    const maxBitrate = Math.min(0xffffffff, Math.round(maxFrame * 8 * fps));
    const chunkOffset = chunkOffsets(this.chunks.map((chunk) => chunk.offset));
    const compressor = Buffer.alloc(32);
    const visualEntry = box('mp4v',
      Buffer.alloc(6), u16s(1), // reserved, data_reference_index
      u16s(0, 0), u32s(0, 0, 0), u16s(width, height),
      u32s(0x00480000, 0x00480000, 0), u16s(1), compressor, u16s(0x0018, 0xffff),
      esds(Math.min(maxFrame, 0xffffff), avgBitrate, maxBitrate));
    const stbl = box('stbl',
      fullBox('stsd', 0, 0, u32s(1), visualEntry),
      fullBox('stts', 0, 0, u32s(runs.length, ...runs.flat())),
      fullBox('stsc', 0, 0, ...sampleToChunk(this.chunks.map((chunk) => chunk.frames))),
      fullBox('stsz', 0, 0, u32s(0, count, ...this.sizes)),
      chunkOffset);
    const minf = box('minf',
      fullBox('vmhd', 0, 1, u16s(0, 0, 0, 0)),
      box('dinf', fullBox('dref', 0, 0, u32s(1), fullBox('url ', 0, 1))),
      stbl);
    const mdia = box('mdia',
      fullBox('mdhd', 0, 0, u32s(0, 0, MP4_TIMESCALE, duration), u16s(0x55c4, 0)),
      fullBox('hdlr', 0, 0, u32s(0), Buffer.from('vide', 'latin1'), u32s(0, 0, 0), Buffer.from('VideoHandler\0', 'latin1')),
      minf);
    const tkhd = fullBox('tkhd', 0, 3, u32s(0, 0, 1, 0, duration, 0, 0), u16s(0, 0, 0, 0), MATRIX, u32s(width * 65536, height * 65536));
    const mvhd = fullBox('mvhd', 0, 0, u32s(0, 0, MP4_TIMESCALE, duration, 0x00010000), u16s(0x0100, 0), u32s(0, 0), MATRIX, u32s(0, 0, 0, 0, 0, 0, 2));
    return box('moov', mvhd, box('trak', tkhd, mdia));
  }
}

/** stco, or co64 once a chunk starts beyond 4 GiB. */
function chunkOffsets(offsets: readonly number[]): Buffer {
  if (offsets.every((offset) => offset <= 0xffffffff)) return fullBox('stco', 0, 0, u32s(offsets.length, ...offsets));
  const wide = Buffer.alloc(offsets.length * 8);
  offsets.forEach((offset, i) => wide.writeBigUInt64BE(BigInt(offset), i * 8));
  return fullBox('co64', 0, 0, u32s(offsets.length), wide);
}

/** stsc entries (first chunk, samples per chunk, description 1), one per run of equal chunks. */
function sampleToChunk(framesPerChunk: readonly number[]): Buffer[] {
  const entries: number[] = [];
  framesPerChunk.forEach((frames, i) => {
    if (entries.length === 0 || entries[entries.length - 2] !== frames) entries.push(i + 1, frames, 1);
  });
  return [u32s(entries.length / 3, ...entries)];
}
