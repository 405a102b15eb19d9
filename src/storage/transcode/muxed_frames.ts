import { open, type FileHandle } from 'node:fs/promises';

/**
 * Bytes the counter reads: a file on disk, or the plaintext of an encrypted file as it
 * streams through (where size() is what is durable, and release() lets go of bytes the
 * counter has moved past).
 */
export interface ByteSource {
  size(): Promise<number>;
  read(position: number, length: number): Promise<Buffer>;
  /** The counter never reads before `position` again. */
  release?(position: number): void;
  close(): Promise<void>;
}

export type MuxedContainer = 'matroska' | 'mp4';

/** A container element or box: where its content starts and where it ends (null: size unknown). */
interface Header {
  readonly id: number;
  readonly contentStart: number;
  readonly end: number | null;
}

const EBML_SEGMENT = 0x18538067;
const EBML_CLUSTER = 0x1f43b675;
const EBML_SIMPLE_BLOCK = 0xa3;
const EBML_BLOCK_GROUP = 0xa0;
const MP4_MOOF = 'moof';
const MP4_MDAT = 'mdat';
/** Longest EBML element header: 4 bytes of id, 8 of size. */
const EBML_HEADER_MAX = 12;
/** Longest box header: size, type, 64-bit size. */
const BOX_HEADER_MAX = 16;

/**
 * Counts the frames an ffmpeg child has verifiably put in its output file: only frames
 * inside a Matroska cluster, or an MP4 fragment (moof + its mdat), whose bytes are all on
 * disk. ffmpeg's own frame counter runs ahead of the file (a cluster or fragment is written
 * only when it closes), so rows committed on its word could miss the file after a crash.
 * Reads the file as it grows, from where the last scan stopped; headers only, never frames.
 */
export class MuxedFrameCounter {
  private readonly source: ByteSource;
  /** Next top-level position not yet accounted for. */
  private offset = 0;
  private frames = 0;
  /** Samples of an MP4 fragment whose mdat is not complete yet. */
  private pendingSamples = 0;
  private insideSegment = false;

  constructor(
    source: string | ByteSource,
    private readonly container: MuxedContainer,
  ) {
    this.source = typeof source === 'string' ? new FileByteSource(source) : source;
  }

  /** Frames complete on disk now (never less than the last answer). */
  async count(): Promise<number> {
    const size = await this.source.size();
    if (this.container === 'matroska') await this.scanMatroska(this.source, size);
    else await this.scanMp4(this.source, size);
    this.source.release?.(this.offset);
    return this.frames;
  }

  async close(): Promise<void> {
    await this.source.close();
  }

  private async scanMatroska(file: ByteSource, size: number): Promise<void> {
    for (;;) {
      const header = await readEbmlHeader(file, this.offset, size);
      if (header === null) return;
      if (header.id === EBML_SEGMENT && !this.insideSegment) {
        // The Segment holds everything else; its size is written last, so step inside it.
        this.insideSegment = true;
        this.offset = header.contentStart;
        continue;
      }
      // An element of unknown size (never a cluster of a seekable file) cannot be verified.
      if (header.end === null || header.end > size) return;
      if (header.id === EBML_CLUSTER) this.frames += await countBlocks(file, header);
      this.offset = header.end;
    }
  }

  private async scanMp4(file: ByteSource, size: number): Promise<void> {
    for (;;) {
      const box = await readBoxHeader(file, this.offset, size);
      if (box === null || box.end === null || box.end > size) return;
      if (box.type === MP4_MOOF) this.pendingSamples += await countFragmentSamples(file, box);
      if (box.type === MP4_MDAT) {
        this.frames += this.pendingSamples;
        this.pendingSamples = 0;
      }
      this.offset = box.end;
    }
  }
}

/** SimpleBlocks and BlockGroups of a complete cluster, read header by header. */
async function countBlocks(file: ByteSource, cluster: Header): Promise<number> {
  const end = cluster.end!;
  let position = cluster.contentStart;
  let blocks = 0;
  while (position < end) {
    const child = await readEbmlHeader(file, position, end);
    if (child === null || child.end === null) break;
    if (child.id === EBML_SIMPLE_BLOCK || child.id === EBML_BLOCK_GROUP) blocks += 1;
    position = child.end;
  }
  return blocks;
}

async function readEbmlHeader(file: ByteSource, position: number, limit: number): Promise<Header | null> {
  const bytes = await readAt(file, position, Math.min(EBML_HEADER_MAX, limit - position));
  const idLength = vintLength(bytes[0]);
  if (idLength === null || idLength > 4 || bytes.length < idLength + 1) return null;
  let id = 0;
  for (let i = 0; i < idLength; i += 1) id = id * 256 + bytes[i]!;
  const sizeLength = vintLength(bytes[idLength]);
  if (sizeLength === null || bytes.length < idLength + sizeLength) return null;
  let value = bytes[idLength]! & (0xff >> sizeLength);
  let allOnes = value === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i += 1) {
    const byte = bytes[idLength + i]!;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  const contentStart = position + idLength + sizeLength;
  return { id, contentStart, end: allOnes ? null : contentStart + value };
}

/** Length of an EBML variable-size integer from its first byte (leading zeros + 1). */
function vintLength(first: number | undefined): number | null {
  if (first === undefined || first === 0) return null;
  return Math.clz32(first) - 23;
}

interface Box {
  readonly type: string;
  readonly contentStart: number;
  readonly end: number | null;
}

async function readBoxHeader(file: ByteSource, position: number, limit: number): Promise<Box | null> {
  const bytes = await readAt(file, position, Math.min(BOX_HEADER_MAX, limit - position));
  if (bytes.length < 8) return null;
  const size32 = bytes.readUInt32BE(0);
  const type = bytes.toString('latin1', 4, 8);
  if (size32 === 1) {
    if (bytes.length < 16) return null;
    return { type, contentStart: position + 16, end: position + Number(bytes.readBigUInt64BE(8)) };
  }
  // Size 0: the box runs to the end of the file, still being written.
  return { type, contentStart: position + 8, end: size32 === 0 ? null : position + size32 };
}

/** Sum of the trun sample counts in a moof (one video track: one per frame). */
async function countFragmentSamples(file: ByteSource, moof: Box): Promise<number> {
  const content = await readAt(file, moof.contentStart, moof.end! - moof.contentStart);
  let samples = 0;
  forEachBox(content, 0, content.length, (type, start, end) => {
    if (type !== 'traf') return;
    forEachBox(content, start, end, (inner, innerStart, innerEnd) => {
      // trun: version and flags (4 bytes), then sample_count.
      if (inner === 'trun' && innerEnd - innerStart >= 8) samples += content.readUInt32BE(innerStart + 4);
    });
  });
  return samples;
}

function forEachBox(buffer: Buffer, from: number, to: number, visit: (type: string, start: number, end: number) => void): void {
  let position = from;
  while (position + 8 <= to) {
    const size = buffer.readUInt32BE(position);
    if (size < 8 || position + size > to) return;
    visit(buffer.toString('latin1', position + 4, position + 8), position + 8, position + size);
    position += size;
  }
}

function readAt(file: ByteSource, position: number, length: number): Promise<Buffer> {
  return length <= 0 ? Promise.resolve(Buffer.alloc(0)) : file.read(position, length);
}

/** A file on disk as it grows; a file not there yet has size 0. */
class FileByteSource implements ByteSource {
  private file: FileHandle | null = null;

  constructor(private readonly path: string) {}

  async size(): Promise<number> {
    this.file ??= await open(this.path, 'r').catch(() => null);
    return this.file === null ? 0 : (await this.file.stat()).size;
  }

  async read(position: number, length: number): Promise<Buffer> {
    if (this.file === null) return Buffer.alloc(0);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.file.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = null;
    await file?.close();
  }
}
