import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './config/schema_registry.js';

const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

export const MODULE_NAME: string = pkg.name;
export const MODULE_VERSION: string = pkg.version;
/** The version of the host contract (src/host/contract.ts) this module implements. */
export const HOST_API_VERSION = '1.0.0';
