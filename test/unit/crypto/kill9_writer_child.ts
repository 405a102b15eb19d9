/**
 * Child process for crypto_kill9.test: writes a known plaintext stream into an encrypted
 * file in frame-sized chunks, forever, until the test kills it with SIGKILL.
 * argv: <file> <key hex> <ciphertext segment size>. After every write it prints
 * "<accepted> <committed>" (plaintext bytes taken / in segments written to the file).
 */
import { EncryptedFileWriter } from '../../../src/crypto/encrypted_file_writer.js';
import { patternedBytes } from './crypto_fixtures.js';

const CHUNK = 10_000;
const STREAM = patternedBytes(4 * 1024 * 1024, 'kill9');

async function main(): Promise<void> {
  const [file, keyHex, segmentSize] = process.argv.slice(2);
  if (!file || !keyHex || !segmentSize) throw new Error('usage: kill9_writer_child <file> <key hex> <segment size>');
  const writer = await EncryptedFileWriter.create(file, {
    kind: 'video', key: { kind: 'symmetric', key: Buffer.from(keyHex, 'hex') }, ciphertextSegmentSize: Number(segmentSize),
  });
  for (let at = 0; at + CHUNK <= STREAM.length; at += CHUNK) {
    await writer.write(STREAM.subarray(at, at + CHUNK));
    process.stdout.write(`${writer.plaintextBytesAccepted} ${writer.plaintextBytesCommitted}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('the test should have killed this process long ago');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
