import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { EncryptedFileWriter } from '../src/crypto/encrypted_file_writer.js';
import { sealFileKey } from '../src/crypto/file_keys.js';
import { StreamingDecryptor } from '../src/crypto/streaming_decryptor.js';
import { StreamingEncryptor } from '../src/crypto/streaming_encryptor.js';
import type { SymmetricKey } from '../src/crypto/symmetric_key.js';

/**
 * node dist/bench/crypto.js [--mb N]: encryption and decryption throughput (MB/s of
 * plaintext) and CPU seconds per GB, in memory (the cipher alone) and through the file
 * writer (cipher + append-only writes), for video-sized (1 MiB) and timing-CSV-sized
 * (2 KiB, one ~100-byte row per write) segments. Also what that costs a recording camera.
 */

interface Figures {
  readonly label: string;
  readonly bytes: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

const VIDEO_RATE = 2.4e6; // 1080p30 MJPEG, bytes/s
const TIMING_RATE = 3e3; // 30 rows/s of ~100 bytes

async function measure(label: string, bytes: number, run: () => Promise<void> | void): Promise<Figures> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { label, bytes, wallSeconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

function encryptInMemory(key: SymmetricKey, segmentSize: number, chunk: Buffer, count: number): Buffer[] {
  const sealed = sealFileKey(key, segmentSize);
  const encryptor = new StreamingEncryptor(sealed.inputKey, { ciphertextSegmentSize: segmentSize, associatedData: sealed.envelope });
  // Keep only a sample of the output so memory stays small; the work is the same.
  const kept: Buffer[] = [sealed.envelope, encryptor.header];
  for (let i = 0; i < count; i += 1) {
    const segments = encryptor.update(chunk);
    if (kept.length < 8) kept.push(...segments);
  }
  kept.push(...encryptor.finish());
  return kept;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '1024' } } });
  const total = Number(values.mb) * 1024 * 1024;
  const key: SymmetricKey = { kind: 'symmetric', key: randomBytes(32) };
  const frame = randomBytes(80_000); // one 1080p MJPEG frame
  const frames = Math.floor(total / frame.length);
  const row = Buffer.from(`${'1,cam,usb1-1,label,1700000000.123456,12345.123456789,42,'.padEnd(96, '0')}\n`);
  const rows = Math.floor(Math.min(total, 64 * 1024 * 1024) / row.length);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-bench-crypto-'));
  const results: Figures[] = [];
  try {
    results.push(await measure('encrypt, memory, 1 MiB segments, 80 kB frames', frames * frame.length, () => { encryptInMemory(key, 1024 * 1024, frame, frames); }));

    // What the module pays without encryption: the same frames appended in ~1 MiB writes.
    const plainFile = path.join(dir, 'video.plain');
    const plain = await fs.promises.open(plainFile, 'wx');
    results.push(await measure('plain file writes, ~1 MiB batches (no encryption)', frames * frame.length, async () => {
      const batch: Buffer[] = [];
      let position = 0;
      for (let i = 0; i < frames; i += 1) {
        batch.push(frame);
        if (batch.length === 13 || i === frames - 1) {
          position += (await plain.writev(batch.splice(0), position)).bytesWritten;
        }
      }
      await plain.datasync();
      await plain.close();
    }));
    fs.rmSync(plainFile);

    // Decrypt a file made once (fed in 256 kB reads, as from disk).
    const file = path.join(dir, 'video.enc');
    const writer = await EncryptedFileWriter.create(file, { kind: 'video', key });
    results.push(await measure('encrypted file writer, 1 MiB segments, 80 kB frames', frames * frame.length, async () => {
      for (let i = 0; i < frames; i += 1) await writer.write(frame);
      await writer.close();
    }));
    results.push(await measure('decrypt, file, 1 MiB segments', frames * frame.length, async () => {
      const decryptor = new StreamingDecryptor(key);
      for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) decryptor.update(chunk as Buffer);
      decryptor.finish();
    }));
    fs.rmSync(file);

    const csv = path.join(dir, 'timing.enc');
    const csvWriter = await EncryptedFileWriter.create(csv, { kind: 'timing', key });
    results.push(await measure('encrypt, file writer, 2 KiB segments, 100 B rows', rows * row.length, async () => {
      for (let i = 0; i < rows; i += 1) await csvWriter.write(row);
      await csvWriter.close();
    }));
    results.push(await measure('decrypt, file, 2 KiB segments', rows * row.length, async () => {
      const decryptor = new StreamingDecryptor(key);
      for await (const chunk of fs.createReadStream(csv, { highWaterMark: 256 * 1024 })) decryptor.update(chunk as Buffer);
      decryptor.finish();
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}`);
  console.log('| what | MB | MB/s | CPU s per GB |');
  console.log('|---|---:|---:|---:|');
  for (const r of results) {
    const mb = r.bytes / 1e6;
    console.log(`| ${r.label} | ${mb.toFixed(0)} | ${(mb / r.wallSeconds).toFixed(0)} | ${(r.cpuSeconds / (r.bytes / 1e9)).toFixed(2)} |`);
  }
  const [cipherOnly, plainWrites, videoWriter, , timingWriter] = results as [Figures, Figures, Figures, Figures, Figures];
  const percent = (cpuPerByte: number, rate: number) => (cpuPerByte * rate * 100).toFixed(3);
  const perByte = (f: Figures) => f.cpuSeconds / f.bytes;
  console.log(`one 1080p30 camera (video ${VIDEO_RATE / 1e6} MB/s + timing ${TIMING_RATE / 1e3} kB/s), % of one core:`);
  console.log(`  cipher alone ${percent(perByte(cipherOnly), VIDEO_RATE)} %; encrypted writer ${percent(perByte(videoWriter), VIDEO_RATE)} % `
    + `vs plain writes ${percent(perByte(plainWrites), VIDEO_RATE)} % (added ${percent(perByte(videoWriter) - perByte(plainWrites), VIDEO_RATE)} %); `
    + `timing CSV ${percent(perByte(timingWriter), TIMING_RATE)} %`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
