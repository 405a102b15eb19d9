import fs from 'node:fs';
import path from 'node:path';
import type { DecryptionKey } from '../crypto/file_keys.js';
import { ENCRYPTED_SUFFIX } from '../storage/sinks/file_sinks.js';
import { parseTimingCsv } from '../storage/timing_reader.js';
import { probeVideoStream } from '../verify/ffprobe_packets.js';
import { compareWithTiming, type ProbedPart, type RecordingCheck } from '../verify/recording_check.js';
import { decryptingStream, decryptToBuffer, verifyEncryptedFile } from '../verify/decrypt_files.js';

export interface EncryptedTrialFiles {
  readonly videoFiles: readonly string[];
  readonly timingPath: string;
  readonly metadataPath: string;
}

export interface DecryptedCheck {
  /** One line per file: verified, with its sizes. */
  readonly verified: readonly string[];
  /** Files in the trial's folder that are not `.enc` (should be none). */
  readonly plaintextFiles: readonly string[];
  readonly check: RecordingCheck;
}

/** The name a file has inside the trial's own records (timing rows name the video without `.enc`). */
const plainName = (file: string): string => path.basename(file).replace(/\.enc$/, '');

/**
 * An encrypted trial checked like a plain one: every file verified (every segment
 * authenticated), then the usual frame-by-frame check on the plaintext — the timing CSV
 * decrypted in memory, each video decrypted as ffprobe reads it from a pipe. No plaintext
 * is ever written to a file, so a demo killed halfway leaves none behind.
 */
export async function checkEncryptedTrial(ffprobe: string, key: DecryptionKey, files: EncryptedTrialFiles): Promise<DecryptedCheck> {
  const all = [...files.videoFiles, files.timingPath, files.metadataPath];
  // Everything in the trial's folder, not only the files the statuses name.
  const folder = path.dirname(files.timingPath);
  const plaintextFiles = fs.readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(ENCRYPTED_SUFFIX)).map((entry) => path.join(folder, entry.name));
  const verified: string[] = [];
  for (const file of all) {
    const summary = await verifyEncryptedFile(file, key);
    verified.push(`${file}: ${summary.segments} segments authenticated, ${summary.plaintextBytes} plaintext bytes`);
  }
  const rows = parseTimingCsv((await decryptToBuffer(files.timingPath, key)).toString('utf8'), files.timingPath);
  const videos: ProbedPart[] = [];
  for (const file of files.videoFiles) {
    videos.push({ path: file, videoFile: plainName(file), probed: await probeVideoStream(ffprobe, decryptingStream(file, key), file) });
  }
  return { verified, plaintextFiles, check: compareWithTiming(videos, rows) };
}
