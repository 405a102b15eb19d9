/** What `v4l2-ctl --info` says about one node. */
export interface V4l2NodeInfo {
  readonly driver: string | null;
  readonly card: string | null;
  readonly busInfo: string | null;
  /** The node's own capabilities ("Device Caps"), e.g. ["Video Capture", "Streaming"]. */
  readonly deviceCaps: readonly string[];
}

/**
 * Reads `v4l2-ctl --info` (same as -D; the first block of --all) from v4l-utils 1.14
 * ("Driver Info (not using libv4l2):", "Driver name   :") to 1.26 ("Driver Info:",
 * "Driver name      :"). Only the Driver Info block is read: the Media Driver Info block
 * that follows repeats some keys with other meanings.
 */
export function parseV4l2Info(text: string): V4l2NodeInfo {
  const fields = new Map<string, string>();
  const deviceCaps: string[] = [];
  let inDriverInfo = false;
  let listing: string[] | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\S/.test(raw)) {
      inDriverInfo = /^Driver Info\b/.test(raw);
      listing = null;
      continue;
    }
    if (!inDriverInfo) continue;
    const line = raw.trim();
    const field = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$/.exec(line);
    if (field && /^\t[^\t]/.test(raw)) {
      const key = (field[1] ?? '').toLowerCase();
      fields.set(key, (field[2] ?? '').trim());
      listing = key === 'device caps' ? deviceCaps : null;
      continue;
    }
    if (listing && line !== '') listing.push(line);
  }
  return {
    driver: fields.get('driver name') ?? null,
    card: fields.get('card type') ?? null,
    busInfo: fields.get('bus info') ?? null,
    deviceCaps,
  };
}

/**
 * A node that captures video: its own caps include Video Capture (or the multiplanar
 * form) and it is not a memory-to-memory codec. UVC cameras also expose a node whose caps
 * are only "Metadata Capture"; that one carries no pictures.
 */
export function isVideoCaptureNode(info: V4l2NodeInfo): boolean {
  const caps = new Set(info.deviceCaps);
  const captures = caps.has('Video Capture') || caps.has('Video Capture Multiplanar');
  const memoryToMemory = [...caps].some((c) => c.startsWith('Video Memory-to-Memory'));
  return captures && !memoryToMemory;
}
