/** A minimal EBML reader for tests: enough to walk a Matroska file and check its layout. */
export interface EbmlElement {
  readonly id: number;
  /** Offset of the ID's first byte. */
  readonly start: number;
  readonly dataStart: number;
  /** null for unknown-size elements. */
  readonly size: number | null;
}

function readVint(buf: Buffer, offset: number, keepMarker: boolean): { value: number | null; length: number } {
  const first = buf[offset]!;
  let length = 1;
  while (length <= 8 && (first & (0x80 >> (length - 1))) === 0) length += 1;
  if (length > 8) throw new Error(`bad vint at ${offset}`);
  let value = BigInt(keepMarker ? first : first & (0xff >> length));
  let allOnes = (first & (0xff >> length)) === 0xff >> length;
  for (let i = 1; i < length; i += 1) {
    const byte = buf[offset + i]!;
    value = (value << 8n) | BigInt(byte);
    if (byte !== 0xff) allOnes = false;
  }
  return { value: !keepMarker && allOnes ? null : Number(value), length };
}

export function readElement(buf: Buffer, offset: number): EbmlElement {
  const id = readVint(buf, offset, true);
  const size = readVint(buf, offset + id.length, false);
  return { id: id.value!, start: offset, dataStart: offset + id.length + size.length, size: size.value };
}

/** The children of a sized master element (or of the range start..end). */
export function children(buf: Buffer, start: number, end: number): EbmlElement[] {
  const out: EbmlElement[] = [];
  let offset = start;
  while (offset < end) {
    const element = readElement(buf, offset);
    out.push(element);
    if (element.size === null) break;
    offset = element.dataStart + element.size;
  }
  return out;
}

export function readUint(buf: Buffer, element: EbmlElement): number {
  let value = 0n;
  for (let i = 0; i < element.size!; i += 1) value = (value << 8n) | BigInt(buf[element.dataStart + i]!);
  return Number(value);
}
