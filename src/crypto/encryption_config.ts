import type { Environment } from '../config/environment.js';
import { ModuleError } from '../errors/codes.js';
import type { EncryptionConfig } from '../generated/schema-types.js';
import type { EncryptedFileWriterOptions } from './encrypted_file_writer.js';
import type { EncryptionKey } from './file_keys.js';
import { keyId } from './key_id.js';
import { DEFAULT_SEGMENT_SIZES, segmentSizeClass, type EncryptedFileKind, type SegmentSizeClass } from './segment_sizes.js';
import { PASSPHRASE_VARIABLE } from './passphrase_kdf.js';
import { loadKeyFile } from './symmetric_key.js';
import { loadRecipientFile, rawPublicKey } from './x25519_keys.js';

/** Points at a key file; set (non-empty), it turns encryption on and replaces encryption.key_file. */
export const ENCRYPTION_KEY_FILE_VARIABLE = 'CAMERAS_ENCRYPTION_KEY_FILE';

export interface EncryptionOff {
  readonly enabled: false;
}

/** Encryption on, with a key that was loaded and checked. Holds no decrypting key in recipient mode. */
export interface EncryptionOn {
  readonly enabled: true;
  readonly key: EncryptionKey;
  /** Where the key came from, for logs and metadata: a path and a public key id, never key material. */
  readonly source: {
    readonly field: 'encryption.key_file' | 'encryption.recipient_public_key' | typeof ENCRYPTION_KEY_FILE_VARIABLE;
    readonly path: string;
    readonly keyId: string;
  };
  readonly segmentSizes: Readonly<Record<SegmentSizeClass, number>>;
}

export type EncryptionSettings = EncryptionOff | EncryptionOn;

/**
 * The encryption section as the module runs with it: config laid under the environment
 * variable, the key loaded (permissions checked) once at start-up. Throws INVALID_PARAMS
 * naming the field or variable when encryption is asked for but cannot be done, so a module
 * never records in the clear believing it encrypts. A passphrase key file takes `passphrase`,
 * else CAMERAS_USB2_PASSPHRASE; without either it is refused (PassphraseRequired).
 */
export function resolveEncryption(section: EncryptionConfig | undefined, env: Environment, passphrase?: string): EncryptionSettings {
  const fromEnv = env[ENCRYPTION_KEY_FILE_VARIABLE]?.trim() || undefined;
  const keyFile = fromEnv ?? section?.key_file ?? undefined;
  const recipient = section?.recipient_public_key ?? undefined;
  if (fromEnv === undefined && section?.enabled !== true) return { enabled: false };
  const segmentSizes = {
    media: section?.media_segment_bytes ?? DEFAULT_SEGMENT_SIZES.media,
    text: section?.text_segment_bytes ?? DEFAULT_SEGMENT_SIZES.text,
  };
  const keyField = fromEnv !== undefined ? ENCRYPTION_KEY_FILE_VARIABLE : 'encryption.key_file';
  if (keyFile !== undefined && recipient !== undefined) {
    throw new ModuleError('INVALID_PARAMS', `encryption: give either ${keyField} or encryption.recipient_public_key, not both`, { field: keyField });
  }
  if (keyFile !== undefined) {
    const key = loadKeyFile(keyFile, keyField, passphrase ?? (env[PASSPHRASE_VARIABLE] || undefined));
    return { enabled: true, key, source: { field: keyField, path: keyFile, keyId: keyId(key.key).toString('hex') }, segmentSizes };
  }
  if (recipient !== undefined) {
    const key = loadRecipientFile(recipient, 'encryption.recipient_public_key');
    const id = keyId(rawPublicKey(key.publicKey)).toString('hex');
    return { enabled: true, key, source: { field: 'encryption.recipient_public_key', path: recipient, keyId: id }, segmentSizes };
  }
  throw new ModuleError('INVALID_PARAMS',
    `encryption.enabled is true but no key is configured: set encryption.key_file, encryption.recipient_public_key or ${ENCRYPTION_KEY_FILE_VARIABLE}`,
    { field: 'encryption.key_file' });
}

/** What EncryptedFileWriter.create needs for a file of this kind under these settings. */
export function writerOptionsFor(settings: EncryptionOn, kind: EncryptedFileKind): EncryptedFileWriterOptions {
  return { kind, key: settings.key, ciphertextSegmentSize: settings.segmentSizes[segmentSizeClass(kind)] };
}
