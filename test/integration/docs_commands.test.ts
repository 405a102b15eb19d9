import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../src/config/schema_registry.js';
import { docBlocks, documentationFiles, withAddress, type DocBlock } from '../helpers/doc_blocks.js';

interface BlockRun { readonly code: number | null; readonly stdout: string; readonly stderr: string }

const BLOCK_TIMEOUT_MS = 90_000;
const SERVER_READY_TIMEOUT_MS = 60_000;
/** The examples cut windows up to 5 s back from now: the ring must hold that much first. */
const FOOTAGE_NEEDED_MS = 6_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A folder that looks like the clone to the documented commands: `npx --no-install
 * cameras-usb2` finds the package's own bin, `import 'cameras-usb2'` resolves to it (as
 * node's self-reference does in the clone), the clone's dependencies resolve, and
 * `clients/` is there; everything a block writes stays in the folder.
 */
function workingCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cameras-docs-'));
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, '.bin'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(PACKAGE_ROOT, 'node_modules'))) {
    if (!entry.startsWith('.')) fs.symlinkSync(path.join(PACKAGE_ROOT, 'node_modules', entry), path.join(modules, entry));
  }
  fs.symlinkSync(path.join(PACKAGE_ROOT, 'bin', 'cameras-usb2.js'), path.join(modules, '.bin', 'cameras-usb2'));
  fs.symlinkSync(PACKAGE_ROOT, path.join(modules, 'cameras-usb2'));
  fs.symlinkSync(path.join(PACKAGE_ROOT, 'clients'), path.join(dir, 'clients'));
  return dir;
}

// npm must answer from the working copy alone: a command that would reach the registry fails.
const BLOCK_ENV = { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' };

function startBash(code: string, cwd: string): ChildProcess {
  return spawn('bash', ['-e', '-c', code], { cwd, env: BLOCK_ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

function runBlock(code: string, cwd: string): Promise<BlockRun> {
  return new Promise((resolve, reject) => {
    const child = startBash(code, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => stopGroup(child), BLOCK_TIMEOUT_MS);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (exitCode) => { clearTimeout(timer); resolve({ code: exitCode, stdout, stderr }); });
  });
}

/** The block's shell and everything it started (npx, node, ffmpeg) share one process group. */
function stopGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
  const hard = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5_000);
  child.once('close', () => clearTimeout(hard));
}

interface Health { readonly segments?: { readonly oldest_epoch_ms?: number | null; readonly newest_epoch_ms?: number | null } }

async function waitForFootage(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + SERVER_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the README's server block exited with ${server.exitCode}:\n${log()}`);
    try {
      const health = await (await fetch(`${url}/health`)).json() as Health;
      const { oldest_epoch_ms: oldest, newest_epoch_ms: newest } = health.segments ?? {};
      if (typeof oldest === 'number' && typeof newest === 'number' && newest - oldest >= FOOTAGE_NEEDED_MS) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no ${FOOTAGE_NEEDED_MS} ms of footage at ${url} within ${SERVER_READY_TIMEOUT_MS} ms:\n${log()}`);
}

describe('documented shell blocks run as written', function () {
  this.timeout(SERVER_READY_TIMEOUT_MS + 10_000);

  const files = documentationFiles(PACKAGE_ROOT).map((file) => ({
    name: path.relative(PACKAGE_ROOT, file),
    blocks: docBlocks(fs.readFileSync(file, 'utf8'), path.relative(PACKAGE_ROOT, file)),
  }));
  const servers = files.flatMap((f) => f.blocks.filter((b) => b.kind === 'server'));
  const folders: string[] = [];
  let server: ChildProcess | undefined;
  let address = '';

  before(async () => {
    expect(servers.map((b) => b.file), 'one server block, in the README').to.deep.equal(['README.md']);
    address = `127.0.0.1:${await freePort()}`;
    const cwd = workingCopy();
    folders.push(cwd);
    let log = '';
    server = startBash(withAddress(servers[0]!.code, address), cwd);
    server.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
    server.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
    server.on('error', (err) => { log += String(err); });
    await waitForFootage(`http://${address}`, server, () => log);
  });

  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const closed = new Promise((r) => server!.once('close', r));
      stopGroup(server);
      await closed;
    }
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const { name, blocks } of files) {
    const runnable = blocks.filter((b) => b.kind === 'runnable');
    if (runnable.length === 0) continue;
    describe(name, () => {
      // Each file's blocks run in order in one fresh folder, so a file may build on its own earlier blocks.
      let cwd = '';
      before(() => { cwd = workingCopy(); folders.push(cwd); });
      for (const block of runnable) {
        it(`${block.file}:${block.line} exits 0${block.expect.length ? ` and prints ${block.expect.join(', ')}` : ''}`, async function () {
          this.timeout(BLOCK_TIMEOUT_MS + 10_000);
          await check(block, cwd);
        });
      }
    });
  }

  async function check(block: DocBlock, cwd: string): Promise<void> {
    const run = await runBlock(withAddress(block.code, address), cwd);
    const transcript = `--- block ---\n${block.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
    expect(run.code, transcript).to.equal(0);
    for (const text of block.expect) expect(run.stdout, transcript).to.include(text);
  }
});
