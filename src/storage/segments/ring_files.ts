import { stat } from 'node:fs/promises';
import type { EncryptionSettings } from '../../crypto/encryption_config.js';
import { ModuleError } from '../../errors/codes.js';
import type { FileClosed, FileKind } from '../../events/file_events.js';
import type { Logger } from '../../logging/logger.js';
import type { FileLifecycle } from '../file_lifecycle.js';
import { NameReserver } from '../name_reserver.js';
import { fileSinksFor, PLAIN_FILES, type FileSinks } from '../sinks/file_sinks.js';
import type { RingReadKey } from './plaintext_source.js';

/**
 * How the ring and its clips meet the disk, as trials do: names from the NameReserver,
 * content through the module's FileSinks (plain, or `<name>.enc` encrypted as written), every
 * file announced on the module's FileLifecycle; and the key to read `.enc` files back.
 */
export interface RingFiles {
  readonly sinks: FileSinks;
  readonly reserver: NameReserver;
  /** null: files are not announced (a ring outside a module). */
  readonly lifecycle: FileLifecycle | null;
  readonly readKey: RingReadKey;
  /** "backend:stable_id" of the camera, for the announcements. */
  readonly cameraId: string | null;
}

export const PLAIN_RING_FILES: RingFiles = {
  sinks: PLAIN_FILES, reserver: new NameReserver(), lifecycle: null, readKey: null, cameraId: null,
};

/**
 * The key the ring reads its encrypted files back with: the shared key. A recipient public
 * key only encrypts, so a ring encrypting to it could never cut a clip: refused (typed).
 */
export function ringReadKeyFor(encryption: EncryptionSettings | null | undefined): RingReadKey {
  if (!encryption?.enabled) return null;
  if (encryption.key.kind === 'symmetric') return encryption.key;
  throw new ModuleError('INVALID_PARAMS',
    'segments: the segment ring must read its encrypted segments back to cut clips; with encryption.recipient_public_key the module cannot decrypt them: use encryption.key_file or disable segments',
    { field: 'segments.enabled' });
}

/** RingFiles for a ring built outside the DI container (tests, the demo): sinks from the settings. */
export function ringFilesFor(encryption: EncryptionSettings, lifecycle: FileLifecycle | null = null, cameraId: string | null = null): RingFiles {
  return { sinks: fileSinksFor(encryption), reserver: new NameReserver(), lifecycle, readKey: ringReadKeyFor(encryption), cameraId };
}

/** What a final file held: frames and sensor times. */
export type RingClosedFacts = Pick<FileClosed, 'frames' | 'firstSensorTimestampNs' | 'lastSensorTimestampNs'> & { readonly removed?: boolean };

/**
 * Announces ring and clip files on the lifecycle. A failing listener is logged and ignored:
 * consumers of files cannot break the ring.
 */
export class RingAnnouncer {
  constructor(private readonly files: RingFiles, private readonly logger: Logger) {}

  opened(file: string, kind: FileKind): void {
    this.announce((lifecycle) => lifecycle.opened({ path: file, kind, cameraId: this.files.cameraId, trialNumber: null }));
  }

  /** The file is final (or removed): announced with its size on disk. */
  async closed(file: string, kind: FileKind, facts: RingClosedFacts): Promise<void> {
    if (this.files.lifecycle === null) return;
    const bytes = facts.removed ? 0 : await stat(file).then((s) => s.size, () => 0);
    this.announce((lifecycle) => lifecycle.closed({ path: file, kind, cameraId: this.files.cameraId, trialNumber: null, bytes, ...facts }));
  }

  private announce(emit: (lifecycle: FileLifecycle) => void): void {
    const lifecycle = this.files.lifecycle;
    if (lifecycle === null) return;
    try {
      emit(lifecycle);
    } catch (err) {
      this.logger.warn('segments: a file lifecycle listener failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
