import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readManifest, hostApiSatisfies, loadModuleFromManifest } from '../../../src/host/manifest.js';
import { PACKAGE_ROOT } from '../../../src/config/schema_registry.js';
import { ALL_COMMAND_NAMES, COMMAND_ALIASES, canonicalName } from '../../../src/bridge/commands.js';
import { resolveConfig } from '../../../src/config/resolve.js';
import { HOST_API_VERSION, MODULE_VERSION } from '../../../src/module_info.js';

const manifestPath = path.join(PACKAGE_ROOT, 'module.manifest.json');

describe('module.manifest.json', () => {
  const manifest = readManifest(manifestPath);

  it('validates against its own schema and matches package.json', () => {
    expect(manifest.id).to.equal('cameras-usb2');
    expect(manifest.version).to.equal(MODULE_VERSION);
  });

  it('declares exactly the commands the runtime handles, aliases pointing at their canonical schema', () => {
    expect(Object.keys(manifest.commands).sort()).to.deep.equal([...ALL_COMMAND_NAMES].sort());
    for (const [name, entry] of Object.entries(manifest.commands)) {
      const canonical = canonicalName(name);
      expect(entry.schema, name).to.equal(`schemas/commands/${canonical}.schema.json`);
      expect(entry.alias_of, name).to.equal((COMMAND_ALIASES as Record<string, string>)[name]);
    }
  });

  it('declares every status that has a schema, and every schema path exists', () => {
    const statusSchemas = fs.readdirSync(path.join(PACKAGE_ROOT, 'schemas', 'statuses')).map((f) => f.replace('.schema.json', ''));
    expect(Object.keys(manifest.statuses).sort()).to.deep.equal(statusSchemas.sort());
    for (const entry of [...Object.values(manifest.commands), ...Object.values(manifest.statuses), manifest.config]) {
      expect(fs.existsSync(path.join(PACKAGE_ROOT, entry.schema)), entry.schema).to.equal(true);
    }
  });

  it('lists the config defaults the module really uses', () => {
    expect(manifest.config.defaults).to.deep.equal(resolveConfig({}));
  });

  it('is loadable by a host: the entry exports the factory and the API range holds', async () => {
    const { factory } = await loadModuleFromManifest(manifestPath, HOST_API_VERSION);
    expect(factory).to.be.a('function');
    expect(hostApiSatisfies(manifest.host_api, '2.0.0')).to.equal(false);
    expect(hostApiSatisfies(manifest.host_api, '1.4.2')).to.equal(true);
    let refused: unknown;
    try {
      await loadModuleFromManifest(manifestPath, '0.9.0');
    } catch (err) {
      refused = err;
    }
    expect(String(refused)).to.include('needs host API');
  });
});
