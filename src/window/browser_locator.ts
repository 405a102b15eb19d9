import path from 'node:path';
import { findOnPath, isExecutableFile, type IsExecutable } from '../ffmpeg/executable_search.js';

/** Browsers whose app mode (--app, --window-position, --window-size) the window relies on, in order of preference. */
export const APP_MODE_BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'] as const;

export type BrowserLookup = { readonly path: string } | { readonly missing: string };

/**
 * The browser for the window: view.window_browser when set (a path, or a program name looked
 * up on PATH), else the first Chromium-family browser on PATH.
 */
export async function locateBrowser(
  configured: string | null,
  searchPath: string | undefined,
  isExecutable: IsExecutable = isExecutableFile,
): Promise<BrowserLookup> {
  if (configured !== null) {
    const found = configured.includes(path.sep)
      ? ((await isExecutable(configured)) ? configured : null)
      : await findOnPath(configured, searchPath, process.platform, isExecutable);
    return found ? { path: found } : { missing: `view.window_browser '${configured}' is not an executable file (or not on PATH)` };
  }
  for (const name of APP_MODE_BROWSERS) {
    const found = await findOnPath(name, searchPath, process.platform, isExecutable);
    if (found) return { path: found };
  }
  return { missing: `no browser for the window: none of ${APP_MODE_BROWSERS.join(', ')} is on PATH (set view.window_browser)` };
}
