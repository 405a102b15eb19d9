/** One video device in ffmpeg's device listing. */
export interface ListedDevice {
  /** Position in the listing (what avfoundation also accepts instead of the name). */
  readonly index: number;
  readonly name: string;
  /** DirectShow's "Alternative name": the device's PnP path, which names the USB port for serial-less cameras. */
  readonly alternativeName: string | null;
}

const AVF_SECTION = /AVFoundation (video|audio) devices:/;
const AVF_DEVICE = /\]\s*\[(\d+)\]\s+(.+?)\s*$/;
// ffmpeg ≥ 5.0: "[dshow @ …] "HD Pro Webcam C920" (video)"; ≤ 4.4: a section header, then "[dshow @ …]  "HD Pro Webcam C920""
const DSHOW_DEVICE = /\]\s+"(.+)"(?:\s+\(([^)]*)\))?\s*$/;
const DSHOW_SECTION = /DirectShow (video|audio) devices/;
const DSHOW_ALTERNATIVE = /\]\s+Alternative name\s+"(.+)"\s*$/;

/**
 * Video devices from `ffmpeg -f avfoundation -list_devices true -i ""` (stderr). Screen
 * capture entries ("Capture screen 0") are not cameras and are left out.
 */
export function parseAvfoundationDevices(stderr: string): ListedDevice[] {
  const devices: ListedDevice[] = [];
  let section: string | null = null;
  for (const line of stderr.split(/\r?\n/)) {
    const header = AVF_SECTION.exec(line);
    if (header) {
      section = header[1] ?? null;
      continue;
    }
    const device = AVF_DEVICE.exec(line);
    if (section !== 'video' || !device) continue;
    const name = device[2] ?? '';
    if (/^Capture screen \d+$/.test(name)) continue;
    devices.push({ index: Number(device[1]), name, alternativeName: null });
  }
  return devices;
}

/** Video devices from `ffmpeg -f dshow -list_devices true -i dummy` (stderr), in the layouts of ffmpeg 4.x and ≥ 5.0. */
export function parseDshowDevices(stderr: string): ListedDevice[] {
  const devices: Array<{ index: number; name: string; alternativeName: string | null; video: boolean }> = [];
  let section: string | null = null;
  for (const line of stderr.split(/\r?\n/)) {
    const header = DSHOW_SECTION.exec(line);
    if (header) {
      section = header[1] ?? null;
      continue;
    }
    const alternative = DSHOW_ALTERNATIVE.exec(line);
    const last = devices.at(-1);
    if (alternative && last) {
      last.alternativeName = alternative[1] ?? null;
      continue;
    }
    const device = DSHOW_DEVICE.exec(line);
    if (!device) continue;
    const kinds = device[2];
    const video = kinds === undefined ? section === 'video' : kinds.split(',').some((k) => k.trim() === 'video');
    devices.push({ index: devices.length, name: device[1] ?? '', alternativeName: null, video });
  }
  return devices.filter((d) => d.video).map((d, index) => ({ index, name: d.name, alternativeName: d.alternativeName }));
}

/** "046d:082d" from a DirectShow PnP path ("…usb#vid_046d&pid_082d&mi_00#…"), or null. */
export function vidPidFromPnpPath(pnpPath: string): string | null {
  const match = /vid_([0-9a-f]{4})&pid_([0-9a-f]{4})/i.exec(pnpPath);
  return match ? `${(match[1] ?? '').toLowerCase()}:${(match[2] ?? '').toLowerCase()}` : null;
}

/** The PnP instance part of a DirectShow path ("usb#vid_046d&pid_082d&mi_00#7&2d2a35b5&0&0000"): stable per USB port. */
export function pnpInstance(pnpPath: string): string | null {
  const match = /(usb#vid_[^#]+#[^#]+)/i.exec(pnpPath);
  return match ? (match[1] ?? '').toLowerCase() : null;
}
