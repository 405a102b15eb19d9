export type AssembledFrameSink = (pts: bigint, data: Buffer) => void;

const EMPTY = Buffer.alloc(0);
/** Consumed queue entries are dropped in batches, not one shift() per frame. */
const COMPACT_AFTER = 64;

/**
 * Pairs packet sizes (from framecrc) with the byte stream of the same packets (from the
 * mjpeg pipe), which arrive independently and cut at arbitrary places. A frame that lies
 * inside one chunk is handed out as a subarray of it; one spanning chunks is copied once
 * into a buffer of exactly its size.
 */
export class FrameAssembler {
  private readonly ptsQueue: bigint[] = [];
  private readonly sizeQueue: number[] = [];
  private packetHead = 0;
  private readonly chunks: Buffer[] = [];
  private chunkHead = 0;
  /** Read position inside chunks[chunkHead]. */
  private chunkOffset = 0;
  private bufferedBytes = 0;

  constructor(private readonly sink: AssembledFrameSink) {}

  addPacket(pts: bigint, size: number): void {
    this.ptsQueue.push(pts);
    this.sizeQueue.push(size);
    this.drain();
  }

  addBytes(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.drain();
  }

  /** Bytes received that no complete packet has claimed yet. */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /** Packets announced whose bytes have not all arrived yet. */
  get pendingPackets(): number {
    return this.ptsQueue.length - this.packetHead;
  }

  private drain(): void {
    while (this.packetHead < this.ptsQueue.length) {
      const size = this.sizeQueue[this.packetHead] ?? 0;
      if (size > this.bufferedBytes) break;
      const pts = this.ptsQueue[this.packetHead] ?? 0n;
      this.packetHead += 1;
      this.sink(pts, this.take(size));
    }
    this.compact();
  }

  private take(size: number): Buffer {
    if (size === 0) return EMPTY;
    this.bufferedBytes -= size;
    const first = this.chunks[this.chunkHead] as Buffer;
    if (first.length - this.chunkOffset >= size) {
      const frame = first.subarray(this.chunkOffset, this.chunkOffset + size);
      this.advance(size, first.length);
      return frame;
    }
    const frame = Buffer.allocUnsafe(size);
    let written = 0;
    while (written < size) {
      const chunk = this.chunks[this.chunkHead] as Buffer;
      const count = Math.min(chunk.length - this.chunkOffset, size - written);
      chunk.copy(frame, written, this.chunkOffset, this.chunkOffset + count);
      written += count;
      this.advance(count, chunk.length);
    }
    return frame;
  }

  private advance(count: number, chunkLength: number): void {
    this.chunkOffset += count;
    if (this.chunkOffset < chunkLength) return;
    this.chunks[this.chunkHead] = EMPTY; // lets the consumed chunk be collected before compaction
    this.chunkHead += 1;
    this.chunkOffset = 0;
  }

  private compact(): void {
    if (this.packetHead === this.ptsQueue.length) {
      this.ptsQueue.length = 0;
      this.sizeQueue.length = 0;
      this.packetHead = 0;
    } else if (this.packetHead >= COMPACT_AFTER) {
      this.ptsQueue.splice(0, this.packetHead);
      this.sizeQueue.splice(0, this.packetHead);
      this.packetHead = 0;
    }
    if (this.chunkHead === this.chunks.length) {
      this.chunks.length = 0;
      this.chunkHead = 0;
    } else if (this.chunkHead >= COMPACT_AFTER) {
      this.chunks.splice(0, this.chunkHead);
      this.chunkHead = 0;
    }
  }
}
