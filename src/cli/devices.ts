import { CameraDiscovery } from '../camera_core/discovery/camera_discovery.js';
import type { DiscoveredCamera, DiscoveryResult } from '../camera_core/discovery/types.js';
import type { CameraCapabilities, CaptureMode, ControlInfo } from '../camera_core/types.js';
import { V4l2Ctl } from '../camera_core/v4l2/v4l2_ctl.js';
import { V4l2NodeProbe, type V4l2Description } from '../camera_core/v4l2/v4l2_probe.js';
import { toModuleError } from '../errors/codes.js';
import { FfmpegLocator } from '../ffmpeg/locate.js';
import { FfmpegProvider } from '../ffmpeg/provider.js';
import { launcherFor } from '../process/run_command.js';
import { NodeProcessSpawner } from '../process/spawner.js';

export interface DevicesOptions {
  readonly json: boolean;
  readonly print: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

interface CameraReport {
  readonly camera: DiscoveredCamera;
  readonly probed: V4l2Description | null;
  readonly error: string | null;
}

/**
 * `cameras-usb2 devices [--json]`: the cameras of this machine and what each can do,
 * with the assign_device payload that opens it. On Linux every USB capture node is probed
 * with v4l2-ctl; AVFoundation and DirectShow cameras are listed without modes (they are
 * opened with the configured mode).
 */
export async function listDevices(options: DevicesOptions): Promise<number> {
  const launcher = launcherFor(new NodeProcessSpawner());
  // ffmpeg lists the devices on macOS and Windows, and formats on Linux without v4l2-ctl.
  const ffmpeg = new FfmpegProvider(() => new FfmpegLocator({ env: options.env ?? process.env }).locate());
  await ffmpeg.initialize();
  const discovery = new CameraDiscovery({ launcher, ffmpeg, platform: options.platform, env: options.env });
  const found = await discovery.list();
  const prober = new V4l2NodeProbe(new V4l2Ctl(launcher), ffmpeg, launcher);
  const reports: CameraReport[] = [];
  for (const camera of found.cameras) {
    if (camera.backend !== 'usb') {
      reports.push({ camera, probed: null, error: null });
      continue;
    }
    try {
      reports.push({ camera, probed: await prober.describe(camera.devicePath), error: null });
    } catch (err) {
      reports.push({ camera, probed: null, error: toModuleError(err).message });
    }
  }
  if (options.json) {
    options.print(JSON.stringify({
      platform: found.platform, listing_available: found.listingAvailable, notes: found.notes, cameras: reports.map(toJson),
      ...(found.emptyReason === null ? {} : { empty_reason: found.emptyReason, without_a_camera: WITHOUT_A_CAMERA }),
    }, null, 2));
  } else {
    printText(options.print, found, reports);
  }
  return 0;
}

/** What to use when there is no camera: the module's own sources need none. */
const WITHOUT_A_CAMERA = 'the device paths synthetic:1280x720@30 (a test pattern) and replay:/path/clip.mkv (an MJPEG clip, looped) '
  + 'need no camera: try npx cameras-usb2 demo, or assign_device with one of them as descriptor.device_path';

/** A node this user may not open (not in the video group) is worth saying, camera or not. */
function permissionHint(reports: readonly CameraReport[], notes: readonly string[]): string | null {
  const denied = [...notes, ...reports.map((r) => r.error ?? '')].some((text) => /permission denied/i.test(text));
  return denied ? 'some video nodes cannot be opened by this user (permission denied): add it to the video group (sudo usermod -aG video $USER, then log in again)' : null;
}

function toJson({ camera, probed, error }: CameraReport): Record<string, unknown> {
  const capabilities: CameraCapabilities = probed?.capabilities ?? { modes: [], controls: [] };
  return {
    backend: camera.backend, stable_id: camera.stableId, name: camera.name, device_path: camera.devicePath,
    usb_path: camera.usbPath, vid_pid: camera.vidPid, serial: camera.serial, driver: camera.driver,
    by_id: camera.byId, by_path: camera.byPath, capture_check: camera.captureCheck, capture_evidence: camera.captureEvidence,
    assign_device: {
      camera_id: { backend: camera.backend, stable_id: camera.stableId },
      descriptor: { name: camera.name, device_path: camera.devicePath, ...(camera.usbPath ? { usb_path: camera.usbPath } : {}) },
    },
    format_source: probed?.formatSource ?? null,
    formats: (probed?.formats ?? []).map((f) => ({
      fourcc: f.fourcc, pixel_format: f.pixelFormat, description: f.description, compressed: f.compressed,
    })),
    capabilities,
    notes: probed?.notes ?? [],
    error,
  };
}

function printText(print: (line: string) => void, found: DiscoveryResult, reports: readonly CameraReport[]): void {
  const { notes } = found;
  if (reports.length === 0) {
    print(`No camera found: ${found.emptyReason ?? 'the device list is empty'}.`);
    print(`Without a camera: ${WITHOUT_A_CAMERA}.`);
  }
  for (const { camera, probed, error } of reports) {
    const where = [camera.usbPath && `USB ${camera.usbPath}`, camera.vidPid, camera.serial && `serial ${camera.serial}`].filter(Boolean).join(', ');
    print(`${camera.stableId}  ${camera.name}  ${camera.devicePath}${where ? `  (${where})` : ''}`);
    if (error) print(`  error: ${error}`);
    if (!probed) {
      if (!error) print('  modes: not listed on this platform; opened with the configured mode');
      continue;
    }
    for (const line of describeModes(probed.capabilities.modes)) print(`  ${line}`);
    if (probed.capabilities.controls.length > 0) print(`  controls: ${probed.capabilities.controls.map(describeControl).join('; ')}`);
    for (const note of probed.notes) print(`  note: ${note}`);
  }
  for (const note of notes) print(`note: ${note}`);
  const permission = permissionHint(reports, notes);
  if (permission) print(`note: ${permission}`);
}

/** "mjpeg 1920x1080@30/24/20, 1280x720@30/24/20" per pixel format. */
function describeModes(modes: readonly CaptureMode[]): string[] {
  const byFormat = new Map<string, Map<string, number[]>>();
  for (const m of modes) {
    const sizes = byFormat.get(m.pixel_format) ?? new Map<string, number[]>();
    byFormat.set(m.pixel_format, sizes);
    const size = `${m.width}x${m.height}`;
    sizes.set(size, [...(sizes.get(size) ?? []), m.fps]);
  }
  return [...byFormat].map(([format, sizes]) => `${format}: ${[...sizes].map(([size, rates]) => `${size}@${rates.join('/')}`).join(', ')}`);
}

function describeControl(c: ControlInfo): string {
  const range = c.min !== undefined && c.max !== undefined && c.type !== 'menu' ? ` ${c.min}..${c.max}` : '';
  const menu = c.menu ? ` {${c.menu.map((m) => `${m.value}:${m.label}`).join(', ')}}` : '';
  const flags = c.flags?.length ? ` [${c.flags.join(',')}]` : '';
  return `${c.name} ${c.type}${range}${menu} = ${String(c.value ?? '?')}${flags}`;
}
