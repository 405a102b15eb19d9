import type { ServerResponse } from 'node:http';
import type { CapturedFrame } from '../camera_core/types.js';
import type { ViewSource } from './view_source.js';

export const PREVIEW_BOUNDARY = 'cameras-usb2-frame';
/**
 * Frames allowed to wait for one page. A page that reads slower than the preview rate gets
 * the freshest frames and loses the rest (drop_oldest), so nothing grows while it lags.
 */
export const PREVIEW_QUEUE_FRAMES = 2;

let pageCounter = 0;

/**
 * Streams the camera's JPEG frames to one page as multipart/x-mixed-replace, each part the
 * bytes exactly as the camera delivered them, at most preview.fps per second. The page is
 * its own frame hub subscriber: a frame is written only once the socket took the previous
 * one (the sink waits for 'drain'), so a slow page costs only its own frames. The hub
 * outlives reconnects, so the stream simply pauses while the camera is lost and goes on.
 * Returns the unsubscribe, for when the page goes away.
 */
export function streamPreview(source: ViewSource, response: ServerResponse, fps: number): () => void {
  pageCounter += 1;
  response.writeHead(200, {
    'Content-Type': `multipart/x-mixed-replace; boundary=${PREVIEW_BOUNDARY}`,
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  return source.subscribeFrames(`preview-${pageCounter}`, (frame) => writePart(response, frame), {
    maxFps: fps,
    maxQueueFrames: PREVIEW_QUEUE_FRAMES,
    overflow: 'drop_oldest',
  });
}

function writePart(response: ServerResponse, frame: CapturedFrame): Promise<void> | void {
  if (response.destroyed || response.writableEnded) return;
  const head = `--${PREVIEW_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.data.length}\r\n` +
    `X-Sensor-Timestamp-Ns: ${frame.sensorTimestampNs}\r\n\r\n`;
  // One writev per frame instead of three writes (and three chunk frames).
  response.cork();
  response.write(head);
  response.write(frame.data);
  const flowing = response.write('\r\n');
  response.uncork();
  if (flowing) return;
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
