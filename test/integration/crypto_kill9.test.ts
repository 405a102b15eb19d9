import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { CiphertextError } from '../../src/crypto/ciphertext_error.js';
import { segmentGeometry } from '../../src/crypto/tink_format.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { decryptBuffer, newSymmetricKey, patternedBytes } from '../unit/crypto/crypto_fixtures.js';

const childScript = fileURLToPath(new URL('../unit/crypto/kill9_writer_child.js', import.meta.url));
const SEGMENT = 64 * 1024;

describe('kill -9 while writing an encrypted file (integration)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu2-kill9-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const killAfterSegments of [5, 12]) {
    it(`loses only the segment being filled (killed after ${killAfterSegments} segments)`, async () => {
      const key = newSymmetricKey();
      const file = path.join(dir, 'trial.mkv.enc');
      const proc = new ProcessRegistry(new NodeProcessSpawner())
        .start(process.execPath, [childScript, file, key.key.toString('hex'), String(SEGMENT)], { stdio: ['ignore', 'pipe', 'pipe'] });
      const { firstPlaintextSegmentSize: first, plaintextSegmentSize: full } = segmentGeometry(SEGMENT);
      const target = first + (killAfterSegments - 1) * full;
      let lastCommitted = 0;
      await new Promise<void>((resolve, reject) => {
        let pending = '';
        proc.child.stdout?.on('data', (chunk: Buffer) => {
          pending += chunk.toString();
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) lastCommitted = Number(line.split(' ')[1]);
          if (lastCommitted >= target) resolve();
        });
        void proc.exited.then((exit) => reject(new Error(`writer exited early (${exit.code}): ${exit.stderrTail}`)));
      });
      proc.child.kill('SIGKILL');
      expect((await proc.exited).signal).to.equal('SIGKILL');

      const bytes = fs.readFileSync(file);
      expect(() => decryptBuffer(key, bytes)).to.throw(CiphertextError, /truncated/);
      const { plaintext, summary } = decryptBuffer(key, bytes, { allowTruncated: true }, 100_000);
      // Everything the writer had reported committed is there, exactly as written...
      expect(plaintext.length).to.be.at.least(lastCommitted);
      expect(plaintext.equals(patternedBytes(4 * 1024 * 1024, 'kill9').subarray(0, plaintext.length))).to.equal(true);
      // ...and it ends on a segment boundary: only the segment being filled was lost.
      expect((plaintext.length - first) % full).to.equal(0);
      expect(summary.truncation?.droppedBytes).to.be.below(SEGMENT);
    });
  }
});
