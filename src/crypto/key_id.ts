import { createHash } from 'node:crypto';
import { KEY_ID_SIZE } from './envelope.js';

const KEY_ID_LABEL = Buffer.from('cameras-usb2 key id\0', 'ascii');

/**
 * A short public name of a key: SHA-256("cameras-usb2 key id\0" ‖ key bytes), first 8 bytes.
 * For a symmetric key the bytes are the 32-byte key (a hash of a random 256-bit key reveals
 * nothing usable); for a recipient, its raw 32-byte X25519 public key. It lets a reader say
 * "wrong key" instead of "tampered".
 */
export function keyId(keyBytes: Buffer): Buffer {
  return createHash('sha256').update(KEY_ID_LABEL).update(keyBytes).digest().subarray(0, KEY_ID_SIZE);
}
