import type { WritableFile } from '../../src/storage/mkv/writable_file.js';

/**
 * A file in memory for writer tests: writes can be held back (a slow disk), cut short,
 * or fail with ENOSPC once a byte limit is reached, like a full volume.
 */
export class MemoryFile implements WritableFile {
  data = Buffer.alloc(0);
  writevCalls = 0;
  /** Bytes the "disk" holds; a write crossing it is cut there and the next one fails. */
  capacity = Number.POSITIVE_INFINITY;
  /** Largest write accepted in one call (short writes). */
  maxWriteBytes = Number.POSITIVE_INFINITY;
  closed = false;
  private held: Array<() => void> | null = null;

  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const resume of waiting) resume();
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<{ bytesWritten: number }> {
    this.writevCalls += 1;
    if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
    return this.put(Buffer.concat(buffers), position);
  }

  async write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    return this.put(buffer.subarray(offset, offset + length), position);
  }

  async truncate(length: number): Promise<void> {
    this.data = this.data.subarray(0, length);
  }

  syncCalls = 0;

  async sync(): Promise<void> {
    this.syncCalls += 1;
  }

  async datasync(): Promise<void> {
    this.syncCalls += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private put(bytes: Buffer, position: number): { bytesWritten: number } {
    const end = position + bytes.length;
    // In-place rewrites need no new space; only growth counts against capacity.
    const room = Math.max(0, this.capacity - Math.max(position, this.data.length)) + Math.max(0, this.data.length - position);
    if (end > this.data.length && room <= 0) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    const length = Math.min(bytes.length, room, this.maxWriteBytes);
    if (position + length > this.data.length) {
      const grown = Buffer.alloc(position + length);
      this.data.copy(grown);
      this.data = grown;
    }
    bytes.copy(this.data, position, 0, length);
    return { bytesWritten: length };
  }
}
