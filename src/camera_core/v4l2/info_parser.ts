/** What `v4l2-ctl --info` says about one node. */
export interface V4l2NodeInfo {
  readonly driver: string | null;
  readonly card: string | null;
  readonly busInfo: string | null;
  /** The node's own capabilities ("Device Caps"), e.g. ["Video Capture", "Streaming"]. */
  readonly deviceCaps: readonly string[];
}

/** Columns of leading white space, a tab counting as 8 (copies of listings mix tabs and spaces). */
function indentOf(line: string): number {
  let columns = 0;
  for (const ch of line) {
    if (ch === '\t') columns += 8;
    else if (ch === ' ') columns += 1;
    else break;
  }
  return columns;
}

const FIELD = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$/;

/**
 * Reads `v4l2-ctl --info` (same as -D; the first block of --all) from v4l-utils 1.14
 * ("Driver Info (not using libv4l2):", "Driver name   :") to 1.26 ("Driver Info:",
 * "Driver name      :"). Only the Driver Info block is read: the Media Driver Info block
 * that follows repeats some keys with other meanings. Indentation is read relatively, not as
 * "one tab": the block's fields are its least indented lines, a caps list is indented
 * deeper, and the block ends at a line indented no deeper than its header. So copies whose
 * tabs became spaces, or that are indented as a whole, read the same.
 */
export function parseV4l2Info(text: string): V4l2NodeInfo {
  const fields = new Map<string, string>();
  const deviceCaps: string[] = [];
  let headerIndent: number | null = null;
  let fieldIndent: number | null = null;
  let listing: string[] | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const indent = indentOf(raw);
    if (headerIndent !== null && indent <= headerIndent) {
      headerIndent = null;
      if (fields.size > 0) break;
    }
    if (headerIndent === null) {
      if (/^Driver Info\b/.test(line)) {
        headerIndent = indent;
        fieldIndent = null;
      }
      continue;
    }
    fieldIndent ??= indent;
    const field = FIELD.exec(line);
    if (field && indent <= fieldIndent) {
      const key = (field[1] ?? '').toLowerCase();
      fields.set(key, (field[2] ?? '').trim());
      listing = key === 'device caps' ? deviceCaps : null;
      continue;
    }
    if (listing && indent > fieldIndent) listing.push(line);
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
