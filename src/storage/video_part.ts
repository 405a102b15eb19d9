import path from 'node:path';
import type { CapturedFrame } from '../camera_core/types.js';
import type { VideoWriter } from './types.js';

/** Sensor times kept per file, so frames taken back after an encoder death leave the right last time. */
const RECENT_FRAMES = 4096;

/** One video file of a trial and what the recorder knows about the frames routed to it. */
export interface VideoPart {
  readonly writer: VideoWriter;
  readonly path: string;
  readonly basename: string;
  /**
   * Whether a source gap before the first frame is inside the recording window: yes for a
   * file that continues a running trial (rotation), no for the first file or a resumed one.
   */
  readonly continuesWindow: boolean;
  /** Frames routed here, accepted or not. */
  framesSeen: number;
  framesAccepted: number;
  framesCommitted: number;
  /** Frames in the finished file (set once it is closed). */
  framesInFile: number;
  firstSensorNs: bigint | null;
  lastSensorNs: bigint | null;
  /** Arrival of the first accepted frame; rotation counts from it. */
  firstArrivalNs: bigint | null;
  /** Sensor times of the last accepted frames, oldest first (bounded). */
  recentSensorNs: bigint[];
  /** Being finalized: its errors are logged, they no longer end the trial. */
  closing: boolean;
  closed: boolean;
}

/** `suffix` ('.enc'): left out of basename, the name the timing CSV gives the file once decrypted. */
export function newVideoPart(writer: VideoWriter, continuesWindow: boolean, suffix = ''): VideoPart {
  const plain = suffix !== '' && writer.path.endsWith(suffix) ? writer.path.slice(0, -suffix.length) : writer.path;
  return {
    writer, path: writer.path, basename: path.basename(plain), continuesWindow,
    framesSeen: 0, framesAccepted: 0, framesCommitted: 0, framesInFile: 0,
    firstSensorNs: null, lastSensorNs: null, firstArrivalNs: null, recentSensorNs: [], closing: false, closed: false,
  };
}

/** A frame the writer accepted into this file. */
export function noteAccepted(part: VideoPart, frame: CapturedFrame): void {
  part.framesAccepted += 1;
  part.firstSensorNs ??= frame.sensorTimestampNs;
  part.lastSensorNs = frame.sensorTimestampNs;
  part.firstArrivalNs ??= frame.arrival.monoNs;
  part.recentSensorNs.push(frame.sensorTimestampNs);
  if (part.recentSensorNs.length > 2 * RECENT_FRAMES) part.recentSensorNs = part.recentSensorNs.slice(-RECENT_FRAMES);
}

/** The last `count` accepted frames never reached the file after all. */
export function forgetLastFrames(part: VideoPart, count: number): void {
  if (count <= 0) return;
  part.framesAccepted = Math.max(0, part.framesAccepted - count);
  part.recentSensorNs.length = Math.max(0, part.recentSensorNs.length - count);
  if (part.framesAccepted === 0) {
    part.firstSensorNs = null;
    part.lastSensorNs = null;
  } else {
    part.lastSensorNs = part.recentSensorNs.at(-1) ?? part.lastSensorNs;
  }
}

/** Finalizes a part's file; framesInFile is what the file really holds, even when closing failed. */
export async function closeVideoPart(part: VideoPart, logFailure: (message: string, err: unknown) => void): Promise<void> {
  part.closing = true;
  try {
    part.framesInFile = (await part.writer.close()).frames;
  } catch (err) {
    logFailure('closing the video file failed', err);
    part.framesInFile = await framesAfterFailure(part, logFailure);
  }
  part.closed = true;
}

async function framesAfterFailure(part: VideoPart, logFailure: (message: string, err: unknown) => void): Promise<number> {
  if (part.writer.countFramesInFile === undefined) return part.framesCommitted;
  try {
    return await part.writer.countFramesInFile();
  } catch (err) {
    logFailure('counting the frames of a failed video file failed', err);
    return part.framesCommitted;
  }
}
