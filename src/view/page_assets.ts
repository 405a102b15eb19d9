import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../config/schema_registry.js';

/** The page's files ship in the package (src/view/page) and are read from there, never fetched from elsewhere. */
export const PAGE_DIR = path.join(PACKAGE_ROOT, 'src', 'view', 'page');
/** uPlot's own build files, from the installed package. */
const UPLOT_DIR = path.dirname(createRequire(import.meta.url).resolve('uplot'));

export interface PageAsset {
  readonly file: string;
  readonly contentType: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * Every file the page may load, by the name it is requested under. A fixed table, so a
 * request names an entry, never a path: nothing outside it can be read.
 */
export const PAGE_ASSETS: Readonly<Record<string, PageAsset>> = {
  'index.html': { file: path.join(PAGE_DIR, 'index.html'), contentType: 'text/html; charset=utf-8' },
  'icon.svg': { file: path.join(PAGE_DIR, 'icon.svg'), contentType: 'image/svg+xml' },
  'view.css': { file: path.join(PAGE_DIR, 'view.css'), contentType: CSS },
  'app.js': { file: path.join(PAGE_DIR, 'app.js'), contentType: JS },
  'api.js': { file: path.join(PAGE_DIR, 'api.js'), contentType: JS },
  'preview.js': { file: path.join(PAGE_DIR, 'preview.js'), contentType: JS },
  'metrics.js': { file: path.join(PAGE_DIR, 'metrics.js'), contentType: JS },
  'plots.js': { file: path.join(PAGE_DIR, 'plots.js'), contentType: JS },
  'settings.js': { file: path.join(PAGE_DIR, 'settings.js'), contentType: JS },
  'trial.js': { file: path.join(PAGE_DIR, 'trial.js'), contentType: JS },
  'format.js': { file: path.join(PAGE_DIR, 'format.js'), contentType: JS },
  'window_mode.js': { file: path.join(PAGE_DIR, 'window_mode.js'), contentType: JS },
  'uPlot.esm.js': { file: path.join(UPLOT_DIR, 'uPlot.esm.js'), contentType: JS },
  'uPlot.min.css': { file: path.join(UPLOT_DIR, 'uPlot.min.css'), contentType: CSS },
};

const cache = new Map<string, Buffer>();

/** The asset's bytes (read once, then kept: they are part of the installed package and do not change). */
export async function loadAsset(asset: PageAsset): Promise<Buffer> {
  let bytes = cache.get(asset.file);
  if (!bytes) {
    bytes = await readFile(asset.file);
    cache.set(asset.file, bytes);
  }
  return bytes;
}
