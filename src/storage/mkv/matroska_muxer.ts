import { randomBytes } from 'node:crypto';
import {
  elementHeader, encodeVint, floatElement, masterElement, stringElement, uintElement,
  unknownSizeHeader, voidElement,
} from './ebml.js';
import { MkvId, SIMPLEBLOCK_KEYFRAME, TRACK_TYPE_VIDEO } from './matroska_ids.js';

export interface MatroskaTrack {
  readonly width: number;
  readonly height: number;
  /** Nominal rate, for DefaultDuration. */
  readonly fps: number;
  readonly codecId: string;
}

export interface MatroskaMuxerOptions {
  readonly appName: string;
  /** Reserve room for SeekHead and Duration so a file can be finalized in place. */
  readonly seekable: boolean;
  /** A new Cluster starts once this much time has passed since the current one began. */
  readonly clusterDurationMs?: number;
}

/** Bytes to write over earlier ones when the file is finalized. */
export interface FilePatch {
  readonly position: number;
  readonly data: Buffer;
}

export interface MatroskaFinalization {
  /** Appended after the last frame (Cues). */
  readonly tail: Buffer;
  /** Written over reserved space once the tail is on disk (SeekHead, Duration, Segment size). */
  readonly patches: readonly FilePatch[];
}

/** MuxingApp and WritingApp of every file this module writes. */
export const APP_NAME = 'cameras-usb2';

const TRACK_NUMBER = 1;
const SEGMENT_SIZE_LENGTH = 8;
const INT16_MAX = 32767;
const DEFAULT_CLUSTER_MS = 1000;
const TIMESTAMP_SCALE_NS = 1_000_000;
/** ID (2) + size (1) + float64 (8). */
const DURATION_ELEMENT_LENGTH = 11;
const SEEK_POSITION_WIDTH = 8;

interface CuePoint {
  readonly timeMs: number;
  /** Relative to the first byte of the Segment's payload. */
  readonly clusterPosition: number;
}

/** Cluster IDs are 4 bytes; the 8-byte unknown size follows. */
const CLUSTER_ID_LENGTH = 4;
const CLUSTER_SIZE_LENGTH = 8;

/**
 * The byte layout of one Matroska file with a single MJPEG video track, produced as a
 * stream of appends: an unknown-size Segment and unknown-size Clusters, so whatever
 * prefix reaches the disk is a playable file. The muxer only computes bytes and
 * positions; the caller writes them in order.
 */
export class MatroskaMuxer {
  readonly header: Buffer;
  private bytesProduced: number;
  private readonly segmentSizePosition: number;
  private readonly segmentDataStart: number;
  private readonly seekHeadReserve: { position: number; length: number } | null;
  private readonly durationPosition: number | null;
  private readonly infoOffset: number;
  private readonly tracksOffset: number;
  private readonly clusterDurationMs: number;
  private clusterTimestamp: number | null = null;
  private lastPts = -1;
  private readonly cues: CuePoint[] = [];

  constructor(private readonly track: MatroskaTrack, options: MatroskaMuxerOptions) {
    this.clusterDurationMs = options.clusterDurationMs ?? DEFAULT_CLUSTER_MS;
    const ebmlHeader = buildEbmlHeader();
    const segmentHeader = unknownSizeHeader(MkvId.Segment);
    this.segmentSizePosition = ebmlHeader.length + segmentHeader.length - SEGMENT_SIZE_LENGTH;
    this.segmentDataStart = ebmlHeader.length + segmentHeader.length;

    const seekHeadVoid = options.seekable ? voidElement(buildSeekHead(0, 0, 0).length) : Buffer.alloc(0);
    const info = buildInfo(options.appName, options.seekable);
    const tracks = buildTracks(track);
    this.infoOffset = seekHeadVoid.length;
    this.tracksOffset = this.infoOffset + info.element.length;
    this.seekHeadReserve = options.seekable ? { position: this.segmentDataStart, length: seekHeadVoid.length } : null;
    this.durationPosition = info.durationOffset === null
      ? null
      : this.segmentDataStart + this.infoOffset + info.durationOffset;

    this.header = Buffer.concat([ebmlHeader, segmentHeader, seekHeadVoid, info.element, tracks]);
    this.bytesProduced = this.header.length;
  }

  /** Nominal frame length in ms, for the Duration after the last frame. */
  get frameDurationMs(): number {
    return 1000 / this.track.fps;
  }

  /** File size so far if every buffer returned was written. */
  get size(): number {
    return this.bytesProduced;
  }

  /**
   * The buffers that store one frame at `pts` (ms): a Cluster start when one is due, the
   * SimpleBlock header, and the frame itself (referenced, not copied).
   */
  block(pts: number, frame: Buffer): Buffer[] {
    if (!Number.isInteger(pts) || pts <= this.lastPts) {
      throw new RangeError(`pts must be an integer above ${this.lastPts}, got ${pts}`);
    }
    const buffers: Buffer[] = [];
    if (this.needsNewCluster(pts)) buffers.push(this.startCluster(pts));
    const relative = pts - (this.clusterTimestamp ?? 0);
    const blockPrefix = Buffer.alloc(4);
    blockPrefix[0] = 0x80 | TRACK_NUMBER;
    blockPrefix.writeInt16BE(relative, 1);
    blockPrefix[3] = SIMPLEBLOCK_KEYFRAME;
    buffers.push(elementHeader(MkvId.SimpleBlock, blockPrefix.length + frame.length), blockPrefix, frame);
    for (const buffer of buffers) this.bytesProduced += buffer.length;
    this.lastPts = pts;
    return buffers;
  }

  /** Cues and the in-place patches that make the file seekable and give it a Duration (null: no frames). */
  finalize(durationMs: number | null): MatroskaFinalization {
    const cues = this.cues.length > 0 ? buildCues(this.cues) : Buffer.alloc(0);
    const cuesOffset = this.bytesProduced - this.segmentDataStart;
    const segmentSize = this.bytesProduced + cues.length - this.segmentDataStart;
    // Sized Clusters inside a sized Segment: what strict readers expect of a finished file.
    const patches: FilePatch[] = this.cues.map((cue, i) => {
      const start = this.segmentDataStart + cue.clusterPosition;
      const end = i + 1 < this.cues.length ? this.segmentDataStart + this.cues[i + 1]!.clusterPosition : this.bytesProduced;
      const payloadStart = start + CLUSTER_ID_LENGTH + CLUSTER_SIZE_LENGTH;
      return { position: start + CLUSTER_ID_LENGTH, data: encodeVint(end - payloadStart, CLUSTER_SIZE_LENGTH) };
    });
    if (this.seekHeadReserve !== null) {
      const seekHead = buildSeekHead(this.infoOffset, this.tracksOffset, cues.length > 0 ? cuesOffset : null);
      patches.push({
        position: this.seekHeadReserve.position,
        data: Buffer.concat([seekHead, fillerAfter(seekHead.length, this.seekHeadReserve.length)]),
      });
    }
    if (this.durationPosition !== null && durationMs !== null) {
      patches.push({ position: this.durationPosition, data: floatElement(MkvId.Duration, durationMs) });
    }
    // The Segment size goes last: until it is written the file still reads as a live stream.
    patches.push({ position: this.segmentSizePosition, data: encodeVint(segmentSize, SEGMENT_SIZE_LENGTH) });
    return { tail: cues, patches };
  }

  private needsNewCluster(pts: number): boolean {
    if (this.clusterTimestamp === null) return true;
    const sinceStart = pts - this.clusterTimestamp;
    return sinceStart >= this.clusterDurationMs || sinceStart > INT16_MAX;
  }

  private startCluster(pts: number): Buffer {
    this.clusterTimestamp = pts;
    this.cues.push({ timeMs: pts, clusterPosition: this.bytesProduced - this.segmentDataStart });
    return Buffer.concat([unknownSizeHeader(MkvId.Cluster), uintElement(MkvId.Timestamp, pts)]);
  }

}

function buildEbmlHeader(): Buffer {
  return masterElement(MkvId.EBML, [
    uintElement(MkvId.EBMLVersion, 1),
    uintElement(MkvId.EBMLReadVersion, 1),
    uintElement(MkvId.EBMLMaxIDLength, 4),
    uintElement(MkvId.EBMLMaxSizeLength, 8),
    stringElement(MkvId.DocType, 'matroska'),
    uintElement(MkvId.DocTypeVersion, 4),
    uintElement(MkvId.DocTypeReadVersion, 2),
  ]);
}

/** Info, with a Void where Duration will go when the length is known. */
function buildInfo(appName: string, reserveDuration: boolean): { element: Buffer; durationOffset: number | null } {
  const fixed = Buffer.concat([
    uintElement(MkvId.TimestampScale, TIMESTAMP_SCALE_NS),
    stringElement(MkvId.MuxingApp, appName),
    stringElement(MkvId.WritingApp, appName),
  ]);
  const payload = reserveDuration ? Buffer.concat([fixed, voidElement(DURATION_ELEMENT_LENGTH)]) : fixed;
  const header = elementHeader(MkvId.Info, payload.length);
  return {
    element: Buffer.concat([header, payload]),
    durationOffset: reserveDuration ? header.length + fixed.length : null,
  };
}

function buildTracks(track: MatroskaTrack): Buffer {
  // Seven random bytes: a non-zero UID that fits a JS-safe range when read back.
  const uid = BigInt(`0x${randomBytes(7).toString('hex')}`) | 1n;
  return masterElement(MkvId.Tracks, [
    masterElement(MkvId.TrackEntry, [
      uintElement(MkvId.TrackNumber, TRACK_NUMBER),
      uintElement(MkvId.TrackUID, uid),
      uintElement(MkvId.TrackType, TRACK_TYPE_VIDEO),
      uintElement(MkvId.FlagLacing, 0),
      uintElement(MkvId.DefaultDuration, Math.round(1e9 / track.fps)),
      stringElement(MkvId.CodecID, track.codecId),
      masterElement(MkvId.Video, [
        uintElement(MkvId.PixelWidth, track.width),
        uintElement(MkvId.PixelHeight, track.height),
      ]),
    ]),
  ]);
}

/** Fixed-width positions, so the SeekHead built at the end has the size reserved at the start. */
function buildSeekHead(infoOffset: number, tracksOffset: number, cuesOffset: number | null): Buffer {
  const seek = (id: number, position: number): Buffer => masterElement(MkvId.Seek, [
    seekIdElement(MkvId.SeekID, id),
    uintElement(MkvId.SeekPosition, position, SEEK_POSITION_WIDTH),
  ]);
  const entries = [seek(MkvId.Info, infoOffset), seek(MkvId.Tracks, tracksOffset)];
  // Without Cues the third slot stays Void; the reservation always counts it.
  entries.push(cuesOffset === null ? voidElement(seek(MkvId.Cues, 0).length) : seek(MkvId.Cues, cuesOffset));
  return masterElement(MkvId.SeekHead, entries);
}

/** SeekID holds an element ID as binary, marker bits included. */
function seekIdElement(elementId: number, targetId: number): Buffer {
  const idBytes = Buffer.alloc(4);
  idBytes.writeUInt32BE(targetId);
  return Buffer.concat([elementHeader(elementId, 4), idBytes]);
}

function fillerAfter(used: number, reserved: number): Buffer {
  const rest = reserved - used;
  if (rest === 0) return Buffer.alloc(0);
  if (rest < 2) throw new RangeError(`SeekHead leaves ${rest} byte(s) in its reservation; a Void needs 2`);
  return voidElement(rest);
}

function buildCues(points: readonly CuePoint[]): Buffer {
  return masterElement(MkvId.Cues, points.map((point) => masterElement(MkvId.CuePoint, [
    uintElement(MkvId.CueTime, point.timeMs),
    masterElement(MkvId.CueTrackPositions, [
      uintElement(MkvId.CueTrack, TRACK_NUMBER),
      uintElement(MkvId.CueClusterPosition, point.clusterPosition),
    ]),
  ])));
}
