import { CameraDiscovery } from '../camera_core/discovery/camera_discovery.js';
import type { DiscoveredCamera } from '../camera_core/discovery/types.js';
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
    }, null, 2));
  } else {
    printText(options.print, found.listingAvailable, found.notes, reports);
  }
  return 0;
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

function printText(print: (line: string) => void, available: boolean, notes: readonly string[], reports: readonly CameraReport[]): void {
  if (reports.length === 0) print(available ? 'No camera found.' : 'No camera found (the device list could not be read).');
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
