import type { FileHandle } from 'node:fs/promises';
import { EncryptedFileWriter } from '../../crypto/encrypted_file_writer.js';
import { writerOptionsFor, type EncryptionSettings } from '../../crypto/encryption_config.js';
import type { FileKind } from '../../events/file_events.js';
import type { AppendOnlyFile } from './append_only_file.js';
import { EncryptedSinkFile } from './encrypted_sink_file.js';
import { videoSegmentBytes } from './segment_choice.js';

/** What `<name>.enc` adds to the name of every encrypted file. */
export const ENCRYPTED_SUFFIX = '.enc';

/** A reserved file to fill: the plain handle itself, or an append-only encrypted one. */
export type SinkFile = FileHandle | AppendOnlyFile;


/**
 * The one place where the content of a file meets the disk, for every file with image or
 * subject content (video parts, timing and metadata CSVs, snapshots): the name reserver
 * creates `<name><suffix>` empty and exclusively, and open() turns that handle into what the
 * writer fills. With encryption on, that is an EncryptedFileWriter under a fresh random
 * salt (and content key in public-key mode): no plaintext byte is ever written.
 * One instance per module instance (DI token FileSinks).
 */
export interface FileSinks {
  /** Appended to every name the reserver hands out: '' or '.enc'. */
  readonly suffix: string;
  /** Files can only be appended to: no reopening, seeking back or truncation. */
  readonly appendOnly: boolean;
  /**
   * Takes over the reserved empty file at `path` (its handle is owned by the result).
   * `bytesPerSecond`: what a video file will receive, so its segments hold about a second.
   */
  open(path: string, handle: FileHandle, kind: FileKind, options?: SinkOptions): Promise<SinkFile>;
}

export interface SinkOptions {
  readonly bytesPerSecond?: number;
}

/** Files as they are: plaintext, any writer mode. */
export const PLAIN_FILES: FileSinks = {
  suffix: '',
  appendOnly: false,
  open: (_path, handle) => Promise.resolve(handle),
};

/** Every file encrypted as it is written (Tink AES-GCM-HKDF streaming; README "Encryption at rest"). */
class EncryptedFiles implements FileSinks {
  readonly suffix = ENCRYPTED_SUFFIX;
  readonly appendOnly = true;

  constructor(private readonly settings: Extract<EncryptionSettings, { enabled: true }>) {}

  async open(path: string, handle: FileHandle, kind: FileKind, options: SinkOptions = {}): Promise<SinkFile> {
    const base = writerOptionsFor(this.settings, kind);
    // Video of trials and of the segment ring: a segment of about a second, so frames commit soon.
    const sized = (kind === 'video' || kind === 'segment') && options.bytesPerSecond !== undefined
      ? { ...base, ciphertextSegmentSize: videoSegmentBytes(options.bytesPerSecond, this.settings.segmentSizes.media) }
      : base;
    const writer = await EncryptedFileWriter.adopt(path, handle, sized);
    return new EncryptedSinkFile(writer);
  }
}

export function fileSinksFor(settings: EncryptionSettings): FileSinks {
  return settings.enabled ? new EncryptedFiles(settings) : PLAIN_FILES;
}

/**
 * The name a file has once decrypted (`x.mkv.enc` → `x.mkv`): what the trial's CSVs call
 * their video files, so a decrypted trial is self-consistent.
 */
export function plaintextName(file: string, suffix: string): string {
  return suffix !== '' && file.endsWith(suffix) ? file.slice(0, -suffix.length) : file;
}
