/** A camera found on this machine, with what a host needs to assign it. */
export interface DiscoveredCamera {
  /** 'usb' for V4L2 nodes on Linux (the RPi_Logger host's backend name), else the ffmpeg input device. */
  readonly backend: 'usb' | 'avfoundation' | 'dshow';
  /** Survives re-plugging into the same port: "usb1-1-2" style on Linux (see stable_id.ts). */
  readonly stableId: string;
  readonly name: string;
  /** What assign_device's descriptor.device_path takes: /dev/video0, avfoundation:<name>, dshow:<name>. */
  readonly devicePath: string;
  /** The USB device's sysfs name, i.e. its port path ("1-2", "1-1.2"); null off Linux. */
  readonly usbPath: string | null;
  /** "046d:082d", or null when the platform does not say. */
  readonly vidPid: string | null;
  readonly serial: string | null;
  readonly driver: string | null;
  /** /dev/v4l/by-id and /dev/v4l/by-path links to this node. */
  readonly byId: readonly string[];
  readonly byPath: readonly string[];
  /**
   * How the node is known to capture pictures: its device caps from v4l2-ctl, the sysfs
   * index heuristic (no v4l2-ctl), or ffmpeg's listing (macOS, Windows).
   */
  readonly captureCheck: 'device-caps' | 'index-heuristic' | 'ffmpeg-listing';
  /** The evidence behind captureCheck, for a person: the device caps seen, or the index used and why. */
  readonly captureEvidence: string;
}

export interface DiscoveryResult {
  readonly platform: NodeJS.Platform;
  readonly cameras: readonly DiscoveredCamera[];
  /** False when the platform's device list could not be read at all (no sysfs, no ffmpeg). */
  readonly listingAvailable: boolean;
  /** Why some node was skipped or judged by heuristic, for the devices command. */
  readonly notes: readonly string[];
  /** When no camera was found: why (no listing, no permission, no USB video node), else null. */
  readonly emptyReason: string | null;
}
