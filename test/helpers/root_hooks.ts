import { expect } from 'chai';
import type { Context, Suite } from 'mocha';
import { readManifest } from '../../src/host/manifest.js';
import { MANIFEST_PATH, seenStatuses } from './status_log.js';

/** The suites whose scenarios between them make the module emit every status of the manifest. */
const COVERING_FILES = ['runtime_commands.test.js', 'startup_repair.test.js', 'runtime_recording.test.js', 'runtime_storage.test.js', 'reconnect.test.js', 'host_mapping.test.js', 'host_commands.test.js'];

function filesOf(suite: Suite): string[] {
  return [...(suite.file ? [suite.file] : []), ...suite.suites.flatMap(filesOf)];
}

/**
 * Root hooks (loaded by .mocharc): after the whole run, when the suites that cover the
 * manifest were part of it, every status of the manifest must have been emitted at least
 * once (each one was already checked against its schema when it was emitted).
 */
export const mochaHooks = {
  afterAll(this: Context): void {
    const root = this.test?.parent;
    if (!root) return;
    const files = filesOf(root);
    if (!COVERING_FILES.every((name) => files.some((file) => file.endsWith(name)))) return;
    const manifest = readManifest(MANIFEST_PATH);
    const emitted = new Set<string>(seenStatuses.map((m) => m.status));
    expect(Object.keys(manifest.statuses).filter((name) => !emitted.has(name)), 'statuses of the manifest no test emitted').to.deep.equal([]);
  },
};
