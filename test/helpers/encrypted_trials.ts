import fs from 'node:fs';
import path from 'node:path';
import { generateKeyFile } from '../../src/crypto/symmetric_key.js';
import type { DecryptionKey } from '../../src/crypto/file_keys.js';
import { decryptedPath, decryptFileTo } from '../../src/verify/decrypt_files.js';

/** Byte patterns no encrypted trial may leave anywhere on disk. */
export interface PlaintextMarkers {
  readonly label: string;
}

const JPEG_SOI = Buffer.from([0xff, 0xd8, 0xff]);
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const EBML_VERSION_ID = Buffer.from([0x42, 0x86]);
const TIMING_HEADER = Buffer.from('trial,module,device_id');
const METADATA_HEADER = Buffer.from('camera_id,backend,name');

/**
 * Every file under `dir` (any depth) that holds a plaintext marker, with the marker found.
 * Ciphertext is random, so short byte patterns turn up in it by chance (FF D8 FF about once
 * per 16 MB): a JPEG start counts at offset 0 or when it recurs like frames of a video do,
 * and the EBML magic only with the EBMLVersion element right after it, as in a real header.
 */
export function plaintextFindings(dir: string, markers: PlaintextMarkers): string[] {
  const texts: Array<[string, Buffer]> = [
    ['timing header', TIMING_HEADER], ['metadata header', METADATA_HEADER], ['trial label', Buffer.from(markers.label)],
  ];
  const findings: string[] = [];
  for (const file of filesUnder(dir)) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      continue; // renamed away (metadata temp files) between listing and reading
    }
    const name = path.relative(dir, file);
    const jpegStarts = jpegStartOffsets(bytes);
    if (jpegStarts[0] === 0 || jpegStarts.length >= 3) findings.push(`${name}: JPEG SOI`);
    if (hasEbmlHeader(bytes)) findings.push(`${name}: EBML magic`);
    for (const [what, needle] of texts) if (bytes.includes(needle)) findings.push(`${name}: ${what}`);
  }
  return findings;
}

/** Offsets of FF D8 FF followed by a marker a JPEG starts with (APPn, DQT, SOF0, DHT, COM). */
function jpegStartOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = bytes.indexOf(JPEG_SOI); at >= 0; at = bytes.indexOf(JPEG_SOI, at + 1)) {
    const marker = bytes[at + 3];
    if (marker !== undefined && ((marker >= 0xe0 && marker <= 0xef) || [0xdb, 0xc0, 0xc4, 0xfe].includes(marker))) offsets.push(at);
  }
  return offsets;
}

function hasEbmlHeader(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(EBML_MAGIC); at >= 0; at = bytes.indexOf(EBML_MAGIC, at + 1)) {
    if (bytes.subarray(at + 4, at + 16).includes(EBML_VERSION_ID)) return true;
  }
  return false;
}

export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
}

/** A fresh key file (mode 0600) in `dir`. */
export function newKeyFile(dir: string): string {
  const file = path.join(dir, 'rec.key');
  generateKeyFile(file);
  return file;
}

/** Decrypts each file into `into` (names without `.enc`); returns the decrypted paths in order. */
export async function decryptAll(files: readonly string[], key: DecryptionKey, into: string): Promise<string[]> {
  fs.mkdirSync(into, { recursive: true });
  const out: string[] = [];
  for (const file of files) {
    const target = decryptedPath(file, into);
    await decryptFileTo(file, target, key);
    out.push(target);
  }
  return out;
}

/**
 * A CSV recovered with --allow-truncated ends where the crash cut its last segment, which
 * can be inside a row: the complete lines only.
 */
export function completeLines(text: string): string {
  return text.slice(0, text.lastIndexOf('\n') + 1);
}
