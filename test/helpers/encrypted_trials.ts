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
const TIMING_HEADER = Buffer.from('trial,module,device_id');
const METADATA_HEADER = Buffer.from('camera_id,backend,name');

/** Every file under `dir` (any depth) that holds a plaintext marker, with the marker found. */
export function plaintextFindings(dir: string, markers: PlaintextMarkers): string[] {
  const needles: Array<[string, Buffer]> = [
    ['JPEG SOI', JPEG_SOI], ['EBML magic', EBML_MAGIC], ['timing header', TIMING_HEADER], ['metadata header', METADATA_HEADER],
    ['trial label', Buffer.from(markers.label)],
  ];
  const findings: string[] = [];
  for (const file of filesUnder(dir)) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      continue; // renamed away (metadata temp files) between listing and reading
    }
    for (const [name, needle] of needles) if (bytes.includes(needle)) findings.push(`${path.relative(dir, file)}: ${name}`);
  }
  return findings;
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
