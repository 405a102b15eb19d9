import fs from 'node:fs';
import path from 'node:path';
import { ReferenceHost } from '../host/reference_host.js';
import { FfprobeLocator } from '../ffmpeg/locate_ffprobe.js';
import { checkRecording } from '../verify/recording_check.js';
import { formatStatus } from '../view/status_line.js';
import { parseDeviceSpec } from '../camera_core/device_spec.js';
import type { DeviceSpec } from '../camera_core/types.js';
import { ModuleError } from '../errors/codes.js';
import { CliUsageError } from './cli_error.js';
import { httpConfig, type HttpListen } from '../config/http_listen.js';
import { checkEncryptedTrial } from './demo_decrypted_check.js';
import type { RecordingCheck } from '../verify/recording_check.js';
import type { SymmetricKey } from '../crypto/symmetric_key.js';
import { loadKeyFile } from '../crypto/symmetric_key.js';
import { withPassphrase, type PassphraseSource } from './passphrase_source.js';

export interface DemoOptions {
  readonly out?: string;
  readonly seconds?: string;
  readonly cameras?: string;
  readonly camera?: string;
  /** Serve the web view and the clip API while recording (camera N on port + N - 1). */
  readonly http?: HttpListen;
  /** Keep the segment ring, so clips of the trial's past can be cut meanwhile. */
  readonly segments?: boolean;
  /** Record encrypted with this key file; the check then runs on a decrypted copy. */
  readonly keyFile?: string;
  /** Where a passphrase-protected key file's passphrase comes from. */
  readonly passphrase?: PassphraseSource;
  readonly print: (line: string) => void;
}

const DEFAULT_CAMERA = 'synthetic:1280x720@30';

/** The backend a camera_id names for this device: what it is, so a replay clip is not called synthetic. */
export function demoBackend(device: DeviceSpec): string {
  return device.kind === 'v4l2' ? 'usb' : device.kind;
}

function positive(value: string | undefined, fallback: number, name: string, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new CliUsageError(`--${name} must be a number in (0, ${max}], got ${value}`);
  return n;
}

/** The folder the demo writes into, and whether the demo made it (so a failed run may remove it). */
function freshFolder(out: string | undefined): { dir: string; created: boolean } {
  if (out) {
    const existed = fs.existsSync(out);
    fs.mkdirSync(out, { recursive: true });
    return { dir: path.resolve(out), created: !existed };
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return { dir: fs.mkdtempSync(path.resolve(`demo-output-${stamp}-`)), created: true };
}

/** True when the folder holds no file at any depth. */
function holdsNoFile(dir: string): boolean {
  return fs.readdirSync(dir, { withFileTypes: true }).every((entry) => entry.isDirectory() && holdsNoFile(path.join(dir, entry.name)));
}

async function demoKey(keyFile: string, source: PassphraseSource | undefined): Promise<{ value: SymmetricKey; passphrase: string | undefined }> {
  try {
    if (source === undefined) return { value: loadKeyFile(keyFile, 'key-file'), passphrase: undefined };
    return await withPassphrase(source, (passphrase) => loadKeyFile(keyFile, 'key-file', passphrase));
  } catch (err) {
    if (err instanceof ModuleError) throw new CliUsageError(`--key-file ${err.message}`);
    throw err;
  }
}

function parseCamera(spec: string): DeviceSpec {
  try {
    return parseDeviceSpec(spec);
  } catch (err) {
    throw new CliUsageError(`--camera ${spec}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The main job, end to end: the reference host loads the module through its manifest,
 * assigns the camera(s) (synthetic by default, named by their backend), records one
 * trial, pauses, and checks every file with ffprobe frame for frame. Exit code 0 only when
 * every check passed.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const seconds = positive(options.seconds, 3, 'seconds', 3600);
  const count = Math.round(positive(options.cameras, 1, 'cameras', 16));
  const spec = options.camera ?? DEFAULT_CAMERA;
  const backend = demoBackend(parseCamera(spec));
  // The key is needed for the check afterwards: one that cannot be loaded stops the demo before it records.
  const unlocked = options.keyFile === undefined ? undefined : await demoKey(options.keyFile, options.passphrase);
  const folder = freshFolder(options.out);
  try {
    return await recordAndCheck(options, { spec, backend, count, seconds, outDir: folder.dir, key: unlocked?.value, passphrase: unlocked?.passphrase });
  } finally {
    // A demo that failed before writing anything leaves no empty folder behind.
    if (folder.created && fs.existsSync(folder.dir) && holdsNoFile(folder.dir)) fs.rmSync(folder.dir, { recursive: true, force: true });
  }
}

interface DemoPlan {
  readonly spec: string;
  readonly backend: string;
  readonly count: number;
  readonly seconds: number;
  readonly outDir: string;
  readonly key: SymmetricKey | undefined;
  /** The module derives the key again from it (each camera is its own instance). */
  readonly passphrase: string | undefined;
}

async function recordAndCheck(options: DemoOptions, { spec, backend, count, seconds, outDir, key, passphrase }: DemoPlan): Promise<number> {
  const { print } = options;
  print(`cameras-usb2 demo: ${count} camera(s) of ${spec}, ${seconds} s, writing into ${outDir}`);
  const http = options.http;
  const hosts = Array.from({ length: count }, (_, i) => new ReferenceHost({
    instanceId: `demo-cam${i + 1}`,
    config: httpConfig(
      {
        storage: { base_path: outDir }, telemetry: { emit_interval_ms: 1000 },
        ...(options.keyFile ? { encryption: { enabled: true, key_file: options.keyFile } } : {}),
      },
      http ? { host: http.host, port: http.port === 0 ? 0 : http.port + i } : undefined,
      options.segments === true,
    ),
    onStatus: (m) => print(`[cam${i + 1}] ${formatStatus(m)}`),
    ...(passphrase !== undefined ? { factoryOptions: { passphrase } } : {}),
  }));
  try {
    await Promise.all(hosts.map((h) => h.start()));
    for (const [i, h] of hosts.entries()) {
      const ready = h.statuses.find((m) => m.status === 'ready');
      const url = ready?.status === 'ready' ? ready.data.http_url : null;
      if (url) print(`[cam${i + 1}] web view: ${url}/   clip API: ${url}/health${options.segments ? '' : ' (start with --segments to keep clips of the past)'}`);
    }
    const assigned = await Promise.all(hosts.map(async (h, i) => {
      h.send('start_session', { session_id: 'demo' });
      h.send('assign_device', { camera_id: { backend, stable_id: `cam${i + 1}` }, descriptor: { name: `demo ${backend} cam${i + 1}`, device_path: spec } });
      return Promise.race([h.waitFor('device_ready', 15_000), h.waitFor('device_error', 15_000)]);
    }));
    const failed = assigned.find((s) => s.status === 'device_error');
    if (failed?.status === 'device_error') throw new ModuleError('DEVICE_FAILED', `camera ${spec} could not be opened: ${failed.data.error}`);
    await Promise.all(hosts.map((h) => h.request('record', { trial_number: 1, trial_label: 'demo trial' })));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await Promise.all(hosts.map((h) => h.request('pause')));
    if (options.keyFile === undefined) return await verify(hosts, print, undefined);
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
  }
  // Encrypted, a paused trial's timing CSV gets its last segment when the trial is sealed (at stop).
  return verify(hosts, print, key);
}

async function verify(hosts: readonly ReferenceHost[], print: (line: string) => void, key: SymmetricKey | undefined): Promise<number> {
  const ready = hosts[0]?.statuses.find((m) => m.status === 'ready');
  const ffmpegPath = ready?.status === 'ready' ? ready.data.ffmpeg?.path ?? null : null;
  const ffprobe = await new FfprobeLocator().locate(ffmpegPath);
  let ok = true;
  print('');
  print(`checking with ffprobe ${ffprobe.version} (${ffprobe.path})`);
  for (const [i, host] of hosts.entries()) {
    const stopped = host.statuses.find((m) => m.status === 'recording_stopped');
    if (stopped?.status !== 'recording_stopped') {
      print(`[cam${i + 1}] FAILED: no recording_stopped status`);
      ok = false;
      continue;
    }
    let check: RecordingCheck;
    if (key === undefined) {
      check = await checkRecording(ffprobe.path, stopped.data.video_files, stopped.data.timing_path);
    } else {
      const encrypted = await checkEncryptedTrial(ffprobe.path, key, {
        videoFiles: stopped.data.video_files, timingPath: stopped.data.timing_path, metadataPath: stopped.data.metadata_path,
      });
      for (const line of encrypted.verified) print(`[cam${i + 1}] verified ${line}`);
      if (encrypted.plaintextFiles.length > 0) print(`[cam${i + 1}] NOT ENCRYPTED: ${encrypted.plaintextFiles.join(', ')}`);
      ok &&= encrypted.plaintextFiles.length === 0;
      print(`[cam${i + 1}] decrypted in memory and through a pipe into ffprobe (no plaintext file written); checking that`);
      check = encrypted.check;
    }
    const agree = check.problems.length === 0 && check.rows === stopped.data.frames_recorded;
    ok &&= agree && check.rows > 0;
    check.files.forEach((file) => print(`[cam${i + 1}] video    ${file.path}  (${file.stream.codec} ${file.stream.width}x${file.stream.height}, ${file.packets} frames)`));
    print(`[cam${i + 1}] timing   ${stopped.data.timing_path}  (${check.rows} rows)`);
    print(`[cam${i + 1}] metadata ${stopped.data.metadata_path}`);
    print(`[cam${i + 1}] ${agree ? 'OK' : 'MISMATCH'}: frames in file ${check.packets} = timing rows ${check.rows} = frames_recorded ${stopped.data.frames_recorded}; every video_pts equals its packet pts${agree ? '' : ` — ${check.problems.join('; ')}`}`);
  }
  print(ok ? 'demo OK: video and timing files agree frame for frame' : 'demo FAILED');
  return ok ? 0 : 1;
}
