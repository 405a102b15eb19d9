import { open, type FileHandle } from 'node:fs/promises';

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const CUES = 0x1c53bb6b;
/** Masters whose children are read in line: they may have an unknown size (files written live). */
const ENTERED = new Set([SEGMENT, CLUSTER]);
const HEADER_BYTES = 12;

interface ElementHeader {
  readonly id: number;
  /** Null: unknown size (all size bits set). */
  readonly size: number | null;
  readonly headerLength: number;
}

function vintLength(first: number): number {
  for (let length = 1; length <= 8; length += 1) if (first & (0x80 >> (length - 1))) return length;
  return 0;
}

function readHeader(buf: Buffer, available: number): ElementHeader | null {
  const idLength = vintLength(buf[0] ?? 0);
  if (idLength === 0 || idLength > 4 || idLength >= available) return null;
  let id = 0;
  for (let i = 0; i < idLength; i += 1) id = id * 256 + buf[i]!;
  const sizeLength = vintLength(buf[idLength] ?? 0);
  if (sizeLength === 0 || idLength + sizeLength > available) return null;
  let size = (buf[idLength]! & (0xff >> sizeLength));
  let allOnes = size === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i += 1) {
    const byte = buf[idLength + i]!;
    size = size * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { id, size: allOnes ? null : size, headerLength: idLength + sizeLength };
}

/**
 * Whether a Matroska file carries an index (Cues). A file the recorder finalized has one
 * at its end; a file cut off by a crash (unknown-size Segment and Clusters) has none. The
 * file is walked element by element, entering Segment and Clusters and skipping every
 * other element by its size, so only headers are read. A file cut off mid-element simply
 * ends the walk.
 */
export async function hasMatroskaCues(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    return await walkForCues(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

async function walkForCues(handle: FileHandle, fileSize: number): Promise<boolean> {
  const buf = Buffer.alloc(HEADER_BYTES);
  let position = 0;
  while (position < fileSize) {
    const { bytesRead } = await handle.read(buf, 0, HEADER_BYTES, position);
    const header = readHeader(buf, bytesRead);
    if (header === null) return false;
    if (header.id === CUES) return true;
    if (position === 0 && header.id !== EBML_HEADER) return false;
    if (ENTERED.has(header.id)) {
      position += header.headerLength;
      continue;
    }
    if (header.size === null) return false;
    position += header.headerLength + header.size;
  }
  return false;
}
