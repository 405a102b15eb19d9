/**
 * EBML element encoding (RFC 8794): the variable-length integers and typed elements
 * Matroska is built from. Everything returns fresh Buffers; nothing here touches files.
 */

/** Largest value an n-byte size vint can hold: all data bits set means "unknown". */
function maxVintValue(length: number): bigint {
  return (1n << BigInt(7 * length)) - 2n;
}

/** Bytes a size vint needs for this value (1..8). */
export function vintLength(value: number | bigint): number {
  const v = BigInt(value);
  if (v < 0n) throw new RangeError(`EBML size cannot be negative: ${v}`);
  for (let length = 1; length <= 8; length += 1) {
    if (v <= maxVintValue(length)) return length;
  }
  throw new RangeError(`EBML size too large: ${v}`);
}

/** A size vint; `length` forces a wider encoding (used for sizes patched later). */
export function encodeVint(value: number | bigint, length: number = vintLength(value)): Buffer {
  const v = BigInt(value);
  if (length < 1 || length > 8) throw new RangeError(`EBML vint length must be 1..8, got ${length}`);
  if (v < 0n || v > maxVintValue(length)) throw new RangeError(`EBML size ${v} does not fit in ${length} bytes`);
  const out = Buffer.alloc(length);
  let rest = v | (1n << BigInt(7 * length));
  for (let i = length - 1; i >= 0; i -= 1) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** The reserved "unknown size" vint of the given length (all data bits 1). */
export function unknownSizeVint(length = 8): Buffer {
  const out = Buffer.alloc(length, 0xff);
  out[0] = 0xff >> (length - 1);
  return out;
}

/** Element IDs are written as they are spelled, marker bits included (0x1A45DFA3). */
export function encodeId(id: number): Buffer {
  if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw new RangeError(`bad EBML id ${id}`);
  const length = id <= 0xff ? 1 : id <= 0xffff ? 2 : id <= 0xffffff ? 3 : 4;
  const out = Buffer.alloc(length);
  out.writeUIntBE(id, 0, length);
  return out;
}

/** ID plus size vint; the payload follows. */
export function elementHeader(id: number, payloadLength: number, sizeLength?: number): Buffer {
  return Buffer.concat([encodeId(id), encodeVint(payloadLength, sizeLength)]);
}

export function binaryElement(id: number, payload: Buffer): Buffer {
  return Buffer.concat([elementHeader(id, payload.length), payload]);
}

/** Unsigned integer, big-endian in the fewest bytes (at least one) unless `width` is given. */
export function uintElement(id: number, value: number | bigint, width?: number): Buffer {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError(`EBML uint cannot be negative: ${v}`);
  let length = 1;
  while (length < 8 && v >> BigInt(8 * length) > 0n) length += 1;
  if (width !== undefined) {
    if (width < length) throw new RangeError(`uint ${v} does not fit in ${width} bytes`);
    length = width;
  }
  const payload = Buffer.alloc(length);
  for (let i = length - 1; i >= 0; i -= 1) {
    payload[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return binaryElement(id, payload);
}

/** Signed integer, two's complement in the fewest bytes. */
export function intElement(id: number, value: number | bigint): Buffer {
  const v = BigInt(value);
  let length = 1;
  while (length < 8 && (v < -(1n << BigInt(8 * length - 1)) || v >= 1n << BigInt(8 * length - 1))) length += 1;
  const payload = Buffer.alloc(8);
  payload.writeBigInt64BE(v);
  return binaryElement(id, payload.subarray(8 - length));
}

/** 64-bit float; 8 bytes so a value patched in place later keeps the same size. */
export function floatElement(id: number, value: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeDoubleBE(value);
  return binaryElement(id, payload);
}

export function stringElement(id: number, value: string): Buffer {
  return binaryElement(id, Buffer.from(value, 'utf8'));
}

export function masterElement(id: number, children: readonly Buffer[]): Buffer {
  const payload = Buffer.concat(children);
  return Buffer.concat([elementHeader(id, payload.length), payload]);
}

/** Start of a master element whose end is not known yet (live streams, crash safety). */
export function unknownSizeHeader(id: number): Buffer {
  return Buffer.concat([encodeId(id), unknownSizeVint(8)]);
}

export const VOID_ID = 0xec;

/** A Void element occupying exactly `totalLength` bytes, reserving room to overwrite later. */
export function voidElement(totalLength: number): Buffer {
  if (totalLength < 2) throw new RangeError(`a Void element needs at least 2 bytes, got ${totalLength}`);
  // The size vint grows with the payload; pick the length for which everything adds up.
  for (let sizeLength = 1; sizeLength <= 8; sizeLength += 1) {
    const payloadLength = totalLength - 1 - sizeLength;
    if (payloadLength >= 0 && BigInt(payloadLength) <= maxVintValue(sizeLength)) {
      return Buffer.concat([encodeId(VOID_ID), encodeVint(payloadLength, sizeLength), Buffer.alloc(payloadLength)]);
    }
  }
  throw new RangeError(`cannot build a Void of ${totalLength} bytes`);
}
