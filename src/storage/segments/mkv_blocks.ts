import { openPlaintext, type RingReadKey } from './plaintext_source.js';
import { MkvId } from '../mkv/matroska_ids.js';

/** Where one frame's bytes lie in a Matroska file this module wrote, and its block time. */
export interface BlockRef {
  /** First byte of the frame (after the SimpleBlock's own header). */
  readonly offset: number;
  readonly size: number;
  /** Cluster timestamp + the block's relative time: the pts the file gives the frame, in ms. */
  readonly timeMs: number;
}

/** Longest element head: a 4-byte ID, an 8-byte size, then a SimpleBlock's 4-byte header. */
const HEAD_BYTES = 16;

interface Vint {
  readonly length: number;
  readonly value: number;
  readonly unknown: boolean;
}

/** An element ID (marker bits kept, as IDs are written), or null if the bytes are not one. */
function readId(buffer: Buffer, at: number, available: number): Vint | null {
  const first = buffer[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (length > 4 || at + length > available) return null;
  let value = 0;
  for (let i = 0; i < length; i += 1) value = value * 256 + buffer[at + i]!;
  return { length, value, unknown: false };
}

/** An element size (marker bit removed); all ones means unknown size. */
function readSize(buffer: Buffer, at: number, available: number): Vint | null {
  const first = buffer[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > available) return null;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i += 1) {
    const byte = buffer[at + i]!;
    if (byte !== 0xff) allOnes = false;
    value = value * 256 + byte;
  }
  return { length, value, unknown: allOnes };
}

/**
 * Finds the frames of a Matroska file written by MatroskaWriter without reading them: it
 * walks element heads only (a 16-byte read each), entering the Segment and the unknown-size
 * Clusters and skipping everything else. It can be resumed on a file still being written:
 * an element that does not fit in the file yet ends the scan until the next call, so only
 * frames completely on disk are listed. A `.enc` file is read through its decryptor (`key`):
 * offsets are plaintext offsets, and only authenticated bytes count as written.
 */
export class MatroskaBlockScanner {
  readonly blocks: BlockRef[] = [];
  private position = 0;
  private clusterTimeMs = 0;

  constructor(readonly path: string, private readonly key: RingReadKey = null) {}

  /** Scans on until `wanted` frames are known or the written part of the file ends; returns the frames known. */
  async scan(wanted = Number.POSITIVE_INFINITY): Promise<number> {
    if (this.blocks.length >= wanted) return this.blocks.length;
    const file = await openPlaintext(this.path, this.key);
    try {
      const fileSize = await file.readableBytes();
      while (this.blocks.length < wanted && this.position < fileSize) {
        const read = await file.read(this.position, HEAD_BYTES);
        const bytesRead = read.length;
        const head = Buffer.alloc(HEAD_BYTES); // zero-padded as a short read used to leave it
        read.copy(head);
        const id = readId(head, 0, bytesRead);
        const size = id === null ? null : readSize(head, id.length, bytesRead);
        if (id === null || size === null) break;
        const dataStart = this.position + id.length + size.length;
        if (id.value === MkvId.Segment || id.value === MkvId.Cluster) {
          this.position = dataStart; // entered: their children follow
          continue;
        }
        if (size.unknown) break; // nothing else of ours has an unknown size
        const end = dataStart + size.value;
        if (end > fileSize) break; // not completely written (yet)
        const local = id.length + size.length;
        if (id.value === MkvId.Timestamp) {
          let value = 0;
          for (let i = 0; i < size.value; i += 1) value = value * 256 + head[local + i]!;
          this.clusterTimeMs = value;
        } else if (id.value === MkvId.SimpleBlock) {
          const track = readSize(head, local, bytesRead);
          if (track === null) break;
          const relative = head.readInt16BE(local + track.length);
          const headerLength = track.length + 3;
          this.blocks.push({ offset: dataStart + headerLength, size: size.value - headerLength, timeMs: this.clusterTimeMs + relative });
        }
        this.position = end;
      }
    } finally {
      await file.close();
    }
    return this.blocks.length;
  }
}
