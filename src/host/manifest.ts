import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describeProblem } from '../config/schema_registry.js';
import type { ModuleHandle, ModuleHost } from './contract.js';

export interface ManifestEntry {
  readonly schema: string;
  readonly description: string;
  readonly alias_of?: string;
}

export interface ModuleManifest {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly entry: { readonly module: string; readonly export: string };
  readonly host_api: string;
  readonly commands: Readonly<Record<string, ManifestEntry>>;
  readonly statuses: Readonly<Record<string, Omit<ManifestEntry, 'alias_of'>>>;
  readonly config: { readonly schema: string; readonly defaults: Record<string, unknown> };
}

/** A module factory: the host contract, and options only this package's hosts and tests pass (DI overrides). */
export type LoadedFactory = (host: ModuleHost, options?: unknown) => ModuleHandle;

/** Reads a manifest and validates it against the manifest schema it names. */
export function readManifest(manifestPath: string): ModuleManifest {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  const schemaRef = typeof manifest['$schema'] === 'string' ? manifest['$schema'] : './schemas/manifest.schema.json';
  const schema = JSON.parse(fs.readFileSync(path.resolve(path.dirname(manifestPath), schemaRef), 'utf8')) as object;
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  if (!validate(manifest)) {
    throw new Error(`${manifestPath}: ${describeProblem(validate.errors).message}`);
  }
  return manifest as unknown as ModuleManifest;
}

const parseVersion = (v: string): number[] => v.split('.').map((x) => Number.parseInt(x, 10));
const compare = (a: number[], b: number[]): number => {
  for (let i = 0; i < 3; i += 1) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** True when hostApi lies in the manifest's '>=A.B.C <X.Y.Z' range. */
export function hostApiSatisfies(range: string, hostApi: string): boolean {
  const match = /^>=(\S+) <(\S+)$/.exec(range);
  if (!match) return false;
  const version = parseVersion(hostApi);
  return compare(version, parseVersion(match[1] as string)) >= 0 && compare(version, parseVersion(match[2] as string)) < 0;
}

/** What a host does to load the module: read the manifest, check the API range, import the entry. */
export async function loadModuleFromManifest(manifestPath: string, hostApi: string): Promise<{ manifest: ModuleManifest; factory: LoadedFactory }> {
  const manifest = readManifest(manifestPath);
  if (!hostApiSatisfies(manifest.host_api, hostApi)) {
    throw new Error(`${manifest.id} needs host API ${manifest.host_api}; this host offers ${hostApi}`);
  }
  const entryUrl = pathToFileURL(path.resolve(path.dirname(manifestPath), manifest.entry.module)).href;
  const loaded = (await import(entryUrl)) as Record<string, unknown>;
  const factory = loaded[manifest.entry.export];
  if (typeof factory !== 'function') throw new Error(`${entryUrl} has no function export ${manifest.entry.export}`);
  return { manifest, factory: factory as LoadedFactory };
}
