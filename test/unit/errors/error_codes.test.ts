import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { SCHEMAS_DIR } from '../../../src/config/schema_registry.js';
import { ERROR_TABLE } from '../../../src/errors/codes.js';

const schema = (name: string): { properties: Record<string, { enum?: number[]; const?: number }> } =>
  JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'statuses', `${name}.schema.json`), 'utf8')) as never;

describe('error codes', () => {
  const codes = Object.values(ERROR_TABLE).map((e) => e.code);

  it('the error status schema enumerates exactly the codes of the table', () => {
    expect(schema('error').properties['code']?.enum).to.deep.equal(codes);
  });

  it('are unique, each with its own message a person can read', () => {
    expect(new Set(codes).size).to.equal(codes.length);
    const messages = Object.values(ERROR_TABLE).map((e) => e.message);
    expect(new Set(messages).size).to.equal(messages.length);
    for (const message of messages) expect(message).to.match(/^[A-Za-z][a-z ]+[a-z]$/);
  });

  it('keeps the seed 001 codes and wording for recording management', () => {
    expect(ERROR_TABLE.ALREADY_RECORDING).to.deep.equal({ code: -1006, message: 'Camera is currently recording' });
    expect(ERROR_TABLE.STORAGE_LOW).to.deep.equal({ code: -1008, message: 'Storage space is low' });
    expect(ERROR_TABLE.STORAGE_CRITICAL).to.deep.equal({ code: -1010, message: 'Storage space is critical' });
    expect(schema('storage_warning').properties['code']?.const).to.equal(ERROR_TABLE.STORAGE_LOW.code);
  });
});
