import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (.ci/run installs it); playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = process.env.CAMERAS_CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumMissing = (): string | null => (existsSync(CHROMIUM_PATH) ? null : `no chromium at ${CHROMIUM_PATH}`);

export interface LaunchedBrowser {
  /** The browser's one context (its profile is the fresh folder). */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless chromium with a fresh profile, and none of the background connections it would
 * otherwise try (update checks, sync, QUIC): the build machines have no network for them.
 */
export async function launchChromium(options: { readonly args?: readonly string[] } = {}): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'cams-chromium-'));
  // playwright passes the profile folder as --user-data-dir itself.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    acceptDownloads: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(options.args ?? []),
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
