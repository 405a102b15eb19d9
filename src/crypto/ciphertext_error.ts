import { ModuleError } from '../errors/codes.js';

/**
 * Why an encrypted file did not decrypt. Stable strings: tests, scripts and `verify` output
 * match on them.
 * - not_encrypted: no envelope magic (not a file this module encrypted)
 * - bad_envelope: the envelope is malformed or of an unknown version / key mode
 * - wrong_key: the file was encrypted for another key or identity
 * - tag_mismatch: a segment does not authenticate: its bytes were modified (or the envelope was)
 * - reordered: a segment holds the data of another position: segments swapped, dropped or duplicated
 * - truncated: the file ends before its last segment (crash or cut copy)
 * - truncated_or_modified: the final segment does not authenticate: cut inside (crash), bytes
 *   appended to it, or modified; GCM cannot tell these apart
 * - appended: bytes follow a complete segment flagged last
 */
export type CiphertextFailure =
  | 'not_encrypted' | 'bad_envelope' | 'wrong_key' | 'tag_mismatch' | 'reordered'
  | 'truncated' | 'truncated_or_modified' | 'appended';

export interface CiphertextErrorDetails {
  readonly reason: CiphertextFailure;
  /** Segment number (0-based), null for envelope and header problems. */
  readonly segment: number | null;
  /** Byte offset in the file where the problem starts. */
  readonly offset: number;
}

/** An encrypted file that failed to decrypt, with where and why. INVALID_PARAMS: the input file is bad. */
export class CiphertextError extends ModuleError {
  readonly reason: CiphertextFailure;
  readonly segment: number | null;
  readonly offset: number;

  constructor(details: CiphertextErrorDetails, message: string) {
    const where = details.segment === null ? `at byte ${details.offset}` : `segment ${details.segment} at byte ${details.offset}`;
    super('INVALID_PARAMS', `${where}: ${details.reason}: ${message}`, {
      field: 'file', data: { reason: details.reason, segment: details.segment, offset: details.offset },
    });
    this.reason = details.reason;
    this.segment = details.segment;
    this.offset = details.offset;
  }
}
