/** Bytes received but not yet consumed, kept as the chunks they arrived in (no copy until taken). */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Removes and returns the first `count` bytes (count ≤ length). */
  take(count: number): Buffer {
    if (count > this.total) throw new RangeError(`take(${count}) with ${this.total} bytes queued`);
    const parts: Buffer[] = [];
    let needed = count;
    while (needed > 0) {
      const head = this.chunks[0] as Buffer;
      if (head.length <= needed) {
        parts.push(head);
        this.chunks.shift();
        needed -= head.length;
      } else {
        parts.push(head.subarray(0, needed));
        this.chunks[0] = head.subarray(needed);
        needed = 0;
      }
    }
    this.total -= count;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, count);
  }
}

/** The buffers with the first `skip` bytes removed (views, no copies). */
export function skipBytes(buffers: readonly Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  let remaining = skip;
  for (const buffer of buffers) {
    if (remaining >= buffer.length) {
      remaining -= buffer.length;
      continue;
    }
    rest.push(remaining > 0 ? buffer.subarray(remaining) : buffer);
    remaining = 0;
  }
  return rest;
}
