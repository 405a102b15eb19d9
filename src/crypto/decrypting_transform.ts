import { Transform, type TransformCallback } from 'node:stream';
import type { DecryptionKey } from './file_keys.js';
import { StreamingDecryptor, type DecryptOptions, type DecryptSummary } from './streaming_decryptor.js';

/**
 * Encrypted file bytes in, authenticated plaintext out (pipeline-friendly). Plaintext of a
 * segment is pushed only after it authenticated; the stream errors with a CiphertextError
 * at the first bad segment. `summary` is set once the stream ended.
 */
export class DecryptingTransform extends Transform {
  private readonly decryptor: StreamingDecryptor;
  summary: DecryptSummary | null = null;

  constructor(key: DecryptionKey, options: DecryptOptions = {}) {
    super();
    this.decryptor = new StreamingDecryptor(key, options);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.forward(() => this.decryptor.update(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.forward(() => {
      const last = this.decryptor.finish();
      this.summary = this.decryptor.summary;
      return last;
    }, callback);
  }

  private forward(step: () => Buffer[], callback: TransformCallback): void {
    let plaintext: Buffer[];
    try {
      plaintext = step();
    } catch (err) {
      callback(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const part of plaintext) if (part.length > 0) this.push(part);
    callback();
  }
}
