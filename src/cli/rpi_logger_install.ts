import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../config/schema_registry.js';
import { CliUsageError } from './cli_error.js';

export const MODULE_FOLDER = 'Cameras';
export const LAUNCHER_NAME = 'main_cameras.py';
const BACKUP_SUFFIX = '.cameras-usb2-backup';
const MARKER = 'cameras-usb2 launcher';

/** The Python file the host discovers; it only replaces itself with node, same argv, same pipes. */
export function launcherSource(nodePath: string, entryPath: string): string {
  return `#!/usr/bin/env python3
"""${MARKER}: RPi_Logger starts this file; it execs the cameras-usb2 Node module in its
place (same PID, same stdin/stdout, the host's argv passed on). Written by
\`cameras-usb2 install-rpi-logger\`; \`cameras-usb2 uninstall-rpi-logger\` restores the original."""
import asyncio
import os
import shutil
import sys

NODE = os.environ.get("CAMERAS_USB2_NODE") or ${JSON.stringify(nodePath)}
ENTRY = ${JSON.stringify(entryPath)}


async def main() -> None:
    node = NODE if os.path.exists(NODE) else (shutil.which("node") or NODE)
    os.execv(node, [node, ENTRY, "serve", "--stdio", "--host-dialect", "rpi-logger", *sys.argv[1:]])


if __name__ == "__main__":
    asyncio.run(main())
`;
}

const CONFIG_TXT = `# cameras-usb2 (Node) in place of the Python camera module; see its README.
display_name = Cameras
enabled = true
visible = true
# Settings of cameras-usb2 itself, dotted (schemas/config.schema.json), e.g.:
# record.fps = 30
# guard.disk_free_gb_min = 2
`;

export interface InstallReport {
  readonly folder: string;
  readonly written: string[];
  readonly backedUp: string[];
}

/** Puts the launcher and config.txt into <modules>/Cameras, keeping everything else (the camera discovery package) in place. */
export function installRpiLogger(modulesDir: string, nodePath = process.execPath): InstallReport {
  if (!fs.existsSync(modulesDir) || !fs.statSync(modulesDir).isDirectory()) {
    throw new CliUsageError(`${modulesDir} is not a folder (expected RPi_Logger's rpi_logger/modules)`);
  }
  const folder = path.join(modulesDir, MODULE_FOLDER);
  fs.mkdirSync(folder, { recursive: true });
  const backedUp: string[] = [];
  // The host takes a folder with exactly one main_*.py: set every other launcher aside (once; an update keeps the first backup).
  for (const name of fs.readdirSync(folder)) {
    if (!/^main_.*\.py$/.test(name) && name !== 'config.txt') continue;
    const file = path.join(folder, name);
    if (fs.readFileSync(file, 'utf8').includes(MARKER)) continue;
    if (!fs.existsSync(file + BACKUP_SUFFIX)) {
      fs.renameSync(file, file + BACKUP_SUFFIX);
      backedUp.push(file + BACKUP_SUFFIX);
    } else {
      fs.rmSync(file);
    }
  }
  const launcher = path.join(folder, LAUNCHER_NAME);
  fs.writeFileSync(launcher, launcherSource(nodePath, path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js')), { mode: 0o755 });
  const configTxt = path.join(folder, 'config.txt');
  fs.writeFileSync(configTxt, CONFIG_TXT);
  return { folder, written: [launcher, configTxt], backedUp };
}

/** Removes the launcher and config.txt and puts back what install set aside. */
export function uninstallRpiLogger(modulesDir: string): InstallReport {
  const folder = path.join(modulesDir, MODULE_FOLDER);
  const launcher = path.join(folder, LAUNCHER_NAME);
  if (!fs.existsSync(launcher) || !fs.readFileSync(launcher, 'utf8').includes(MARKER)) {
    throw new CliUsageError(`${launcher} is not a cameras-usb2 launcher; nothing to remove`);
  }
  fs.rmSync(launcher);
  fs.rmSync(path.join(folder, 'config.txt'), { force: true });
  const restored: string[] = [];
  for (const name of fs.readdirSync(folder).filter((n) => n.endsWith(BACKUP_SUFFIX))) {
    const original = path.join(folder, name.slice(0, -BACKUP_SUFFIX.length));
    fs.renameSync(path.join(folder, name), original);
    restored.push(original);
  }
  return { folder, written: [], backedUp: restored };
}
