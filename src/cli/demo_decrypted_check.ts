import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKeyFile } from '../crypto/symmetric_key.js';
import { ENCRYPTED_SUFFIX } from '../storage/sinks/file_sinks.js';
import { checkRecording, type RecordingCheck } from '../verify/recording_check.js';
import { decryptedPath, decryptFileTo, verifyEncryptedFile } from '../verify/decrypt_files.js';

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

/**
 * An encrypted trial checked like a plain one: every file verified (every segment
 * authenticated), decrypted into a private temp folder, the usual frame-by-frame check run on
 * the plaintext there, and the temp folder removed again.
 */
export async function checkEncryptedTrial(ffprobe: string, keyFile: string, files: EncryptedTrialFiles): Promise<DecryptedCheck> {
  const key = loadKeyFile(keyFile, 'key-file');
  const all = [...files.videoFiles, files.timingPath, files.metadataPath];
  // Everything in the trial's folder, not only the files the statuses name.
  const folder = path.dirname(files.timingPath);
  const plaintextFiles = fs.readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(ENCRYPTED_SUFFIX)).map((entry) => path.join(folder, entry.name));
  const verified: string[] = [];
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cameras-usb2-demo-decrypted-'));
  try {
    for (const file of all) {
      const summary = await verifyEncryptedFile(file, key);
      verified.push(`${file}: ${summary.segments} segments authenticated, ${summary.plaintextBytes} plaintext bytes`);
      await decryptFileTo(file, decryptedPath(file, temp), key);
    }
    const check = await checkRecording(ffprobe, files.videoFiles.map((file) => decryptedPath(file, temp)), decryptedPath(files.timingPath, temp));
    return { verified, plaintextFiles, check };
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}
