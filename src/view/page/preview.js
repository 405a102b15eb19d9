// The live preview: reads the multipart JPEG stream with fetch (each part carries its
// length, so no marker scanning) and shows each frame as it came from the camera. A frame
// that arrives while the previous one is still decoding replaces the waiting one, so a
// slow machine shows fewer frames, never older ones.

const CRLF2 = [13, 10, 13, 10];
const RETRY_MS = 1000;

function indexOfSequence(buffer, sequence, from) {
  outer: for (let i = from; i <= buffer.length - sequence.length; i += 1) {
    for (let j = 0; j < sequence.length; j += 1) if (buffer[i + j] !== sequence[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Splits the byte stream into parts: calls onPart(bytes, headers) for each complete one. */
export function createPartReader(onPart) {
  let buffer = new Uint8Array(0);
  let pending = null; // { length, headers } once a part's headers are read
  const decoder = new TextDecoder();
  return (chunk) => {
    buffer = buffer.length === 0 ? chunk : concat(buffer, chunk);
    let pos = 0;
    for (;;) {
      if (!pending) {
        const end = indexOfSequence(buffer, CRLF2, pos);
        if (end < 0) break;
        const headers = {};
        for (const line of decoder.decode(buffer.subarray(pos, end)).split('\r\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        pos = end + 4;
        const length = Number(headers['content-length']);
        if (!Number.isInteger(length) || length < 0) continue;
        pending = { length, headers };
      }
      if (buffer.length - pos < pending.length) break;
      onPart(buffer.slice(pos, pos + pending.length), pending.headers);
      pos += pending.length;
      pending = null;
    }
    buffer = pos === 0 ? buffer : buffer.slice(pos);
  };
}

/** Shows frames in img; keeps running (reconnecting after a break) until stop() is called. */
export function startPreview(img) {
  let stopped = false;
  let controller = null;
  let shown = 0;
  let decoding = false;
  let waiting = null;
  let currentUrl = null;

  async function show(bytes, headers) {
    if (decoding) {
      waiting = { bytes, headers };
      return;
    }
    decoding = true;
    const url = URL.createObjectURL(new Blob([bytes], { type: 'image/jpeg' }));
    img.src = url;
    try {
      await img.decode();
      shown += 1;
      img.dataset.framesShown = String(shown);
      img.dataset.sensorTimestampNs = headers['x-sensor-timestamp-ns'] ?? '';
    } catch {
      // A frame the browser cannot decode is skipped; the next one replaces it.
    }
    if (currentUrl) URL.revokeObjectURL(currentUrl);
    currentUrl = url;
    decoding = false;
    if (waiting) {
      const next = waiting;
      waiting = null;
      void show(next.bytes, next.headers);
    }
  }

  async function run() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch('api/preview.mjpeg', { cache: 'no-store', signal: controller.signal });
        if (response.ok && response.body) {
          img.dataset.stream = 'open';
          const feed = createPartReader((bytes, headers) => void show(bytes, headers));
          const reader = response.body.getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            feed(value);
          }
        }
      } catch {
        // The server went away or the page stopped the stream: try again below.
      }
      img.dataset.stream = 'closed';
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  void run();
  return {
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}
