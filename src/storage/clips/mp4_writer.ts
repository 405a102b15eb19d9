import { open, type FileHandle } from 'node:fs/promises';

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
/** 64-bit mdat header: size 1, then the real size once known. */
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
 * An MP4 holding MJPEG frames exactly as given (stream copy), written by node: ftyp, one
 * mdat that frames are appended to, and the moov (one chunk; every sample a sync sample)
 * once the last frame is in. Sample times are the pts passed in, in ms. The file is
 * created exclusively ('wx'); it is the caller's temp name until complete.
 */
export class Mp4ClipWriter {
  private readonly sizes: number[] = [];
  private readonly pts: number[] = [];
  private position = FTYP.length + MDAT_HEADER_LENGTH;
  private closed = false;

  private constructor(readonly path: string, private readonly file: FileHandle, private readonly track: Mp4TrackInfo) {}

  static async create(path: string, track: Mp4TrackInfo): Promise<Mp4ClipWriter> {
    const file = await open(path, 'wx');
    try {
      const mdatHead = Buffer.alloc(MDAT_HEADER_LENGTH);
      mdatHead.writeUInt32BE(1, 0);
      mdatHead.write('mdat', 4, 'latin1');
      await file.writev([FTYP, mdatHead], 0);
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
    return new Mp4ClipWriter(path, file, track);
  }

  get frames(): number {
    return this.sizes.length;
  }

  /** Appends frames; each pts (ms) must be above the previous one. */
  async append(frames: ReadonlyArray<{ readonly data: Buffer; readonly pts: number }>): Promise<void> {
    if (frames.length === 0) return;
    for (const frame of frames) {
      const previous = this.pts.at(-1);
      if (previous !== undefined && frame.pts <= previous) throw new Error(`pts ${frame.pts} does not follow ${previous}`);
      this.pts.push(frame.pts);
      this.sizes.push(frame.data.length);
    }
    let buffers = frames.map((frame) => frame.data);
    let total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    while (total > 0) {
      const { bytesWritten } = await this.file.writev(buffers, this.position);
      if (bytesWritten <= 0) throw new Error('writev made no progress');
      this.position += bytesWritten;
      total -= bytesWritten;
      let skip = bytesWritten;
      const rest: Buffer[] = [];
      for (const buffer of buffers) {
        if (skip >= buffer.length) {
          skip -= buffer.length;
          continue;
        }
        rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
        skip = 0;
      }
      buffers = rest;
    }
  }

  /** Writes the index, syncs and closes. Resolves with the frames and the file's size. */
  async finish(): Promise<{ frames: number; bytes: number }> {
    const mdatSize = this.position - FTYP.length;
    const size = Buffer.alloc(8);
    size.writeBigUInt64BE(BigInt(mdatSize), 0);
    const moov = this.moov();
    await this.writeAt(size, FTYP.length + 8);
    await this.writeAt(moov, this.position);
    await this.file.sync();
    await this.close();
    return { frames: this.sizes.length, bytes: this.position + moov.length };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }

  private async writeAt(buffer: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < buffer.length) {
      const { bytesWritten } = await this.file.write(buffer, done, buffer.length - done, position + done);
      if (bytesWritten <= 0) throw new Error('write made no progress');
      done += bytesWritten;
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
    const dataStart = FTYP.length + MDAT_HEADER_LENGTH;
    const chunkOffset = dataStart > 0xffffffff
      ? fullBox('co64', 0, 0, u32s(1), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(dataStart)); return b; })())
      : fullBox('stco', 0, 0, u32s(1, dataStart));
    const compressor = Buffer.alloc(32);
    const visualEntry = box('mp4v',
      Buffer.alloc(6), u16s(1), // reserved, data_reference_index
      u16s(0, 0), u32s(0, 0, 0), u16s(width, height),
      u32s(0x00480000, 0x00480000, 0), u16s(1), compressor, u16s(0x0018, 0xffff),
      esds(Math.min(maxFrame, 0xffffff), avgBitrate, maxBitrate));
    const stbl = box('stbl',
      fullBox('stsd', 0, 0, u32s(1), visualEntry),
      fullBox('stts', 0, 0, u32s(runs.length, ...runs.flat())),
      fullBox('stsc', 0, 0, u32s(count === 0 ? 0 : 1, ...(count === 0 ? [] : [1, count, 1]))),
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
