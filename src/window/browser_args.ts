import type { WindowGeometry } from './geometry.js';

/**
 * A Chromium-family browser as a plain application window: app mode (no tabs, no address
 * bar) at the host's geometry, in a profile of its own, with nothing that would greet the
 * user, sync, update, or reach the network on its own.
 */
export function appWindowArgs(url: string, geometry: WindowGeometry, profileDir: string, runningAsRoot: boolean): string[] {
  return [
    `--app=${url}`,
    `--window-position=${geometry.x},${geometry.y}`,
    `--window-size=${geometry.width},${geometry.height}`,
    `--user-data-dir=${profileDir}`,
    '--class=cameras-usb2',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-sync',
    '--disable-extensions',
    '--disable-component-extensions-with-background-pages',
    '--disable-default-apps',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-features=Translate,MediaRouter,OptimizationHints',
    '--password-store=basic',
    '--use-mock-keychain',
    '--disable-gpu',
    // Chromium refuses to run as root with its sandbox on (CI and some lab set-ups run as root);
    // --test-type keeps it from covering the picture with a bar about that flag.
    ...(runningAsRoot ? ['--no-sandbox', '--test-type'] : []),
  ];
}
