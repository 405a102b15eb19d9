import path from 'node:path';
import { expect } from 'chai';
import { compiled, createAjv, describeProblem, PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { readManifest } from '../../src/host/manifest.js';
import { seenStatuses } from '../helpers/status_log.js';

// Named zz_ so it runs after the other unit suites, which fill seenStatuses through the mocked host.
describe('every status the unit tests saw matches its schema', () => {
  it('validates each emitted status payload, and the tests emitted every status of the manifest', () => {
    const ajv = createAjv({ useDefaults: false });
    const manifest = readManifest(path.join(PACKAGE_ROOT, 'module.manifest.json'));
    expect(seenStatuses.length).to.be.greaterThan(100);
    for (const message of seenStatuses) {
      const validate = compiled(ajv, `statuses/${message.status}.schema.json`);
      expect(validate(message.data), `${message.status}: ${describeProblem(validate.errors).message} in ${JSON.stringify(message.data)}`).to.equal(true);
    }
    const emitted = new Set(seenStatuses.map((m) => m.status));
    expect([...emitted].sort()).to.deep.equal(Object.keys(manifest.statuses).sort());
  });
});
