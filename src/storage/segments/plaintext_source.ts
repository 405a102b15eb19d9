import { open, type FileHandle } from 'node:fs/promises';
import { GrowingEncryptedReader } from '../../crypto/growing_file_reader.js';
import type { DecryptionKey } from '../../crypto/file_keys.js';
import { ModuleError } from '../../errors/codes.js';
import { ENCRYPTED_SUFFIX } from '../sinks/file_sinks.js';

/**
 * The plaintext of a ring file, read by offset: the file itself, or an encrypted `.enc` file
 * decrypted segment by segment as it is read (never copied to disk). For a file still being
 * written, readableBytes() is what is in it (plain) or what authenticates (encrypted).
 */
export interface PlaintextSource {
  readonly path: string;
  readableBytes(): Promise<number>;
  /** Up to `length` bytes at `position` (fewer where the readable part ends). */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** How the ring reads its files back: the key for `.enc` files (null when none can be read). */
export type RingReadKey = DecryptionKey | null;

class PlainSource implements PlaintextSource {
  constructor(readonly path: string, private readonly handle: FileHandle) {}

  async readableBytes(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(Math.max(0, length));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await this.handle.read(buffer, filled, buffer.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export function isEncryptedPath(file: string): boolean {
  return file.endsWith(ENCRYPTED_SUFFIX);
}

/** Opens a ring file for reading; a `.enc` file needs the key (INVALID_PARAMS without one). */
export async function openPlaintext(file: string, key: RingReadKey): Promise<PlaintextSource> {
  if (!isEncryptedPath(file)) return new PlainSource(file, await open(file, 'r'));
  if (key === null) {
    throw new ModuleError('INVALID_PARAMS', `${file} is encrypted and no key to read it is configured (a recipient public key only encrypts)`, { field: 'encryption' });
  }
  return GrowingEncryptedReader.open(file, key);
}

/** All readable plaintext of a small file (a timing CSV) as text. */
export async function readPlaintextText(file: string, key: RingReadKey): Promise<string> {
  const source = await openPlaintext(file, key);
  try {
    return (await source.read(0, await source.readableBytes())).toString('utf8');
  } finally {
    await source.close();
  }
}
