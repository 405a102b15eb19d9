/** Loads an optional package by name; tests replace it. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

export const importModule: ModuleImporter = (specifier) => import(specifier) as Promise<unknown>;

/**
 * The binary path a package such as ffmpeg-static (default export: the path or null) or
 * @ffmpeg-installer/ffmpeg (default export: { path }) reports. Throws with the reason when
 * the package is missing, throws on load (the installers throw plain strings), or has no binary.
 */
export async function binaryPathFromPackage(specifier: string, importer: ModuleImporter): Promise<string> {
  let loaded: unknown;
  try {
    loaded = await importer(specifier);
  } catch (err) {
    throw new Error(`package not usable (${reasonOf(err)})`, { cause: err });
  }
  const exported = defaultExport(loaded);
  const found = typeof exported === 'string' ? exported : pathProperty(exported);
  if (!found) throw new Error('package reports no binary for this platform');
  return found;
}

function defaultExport(loaded: unknown): unknown {
  return isRecord(loaded) && 'default' in loaded ? loaded.default : loaded;
}

function pathProperty(value: unknown): string | null {
  return isRecord(value) && typeof value.path === 'string' && value.path.length > 0 ? value.path : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}
