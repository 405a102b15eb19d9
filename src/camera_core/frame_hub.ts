import { EventEmitter } from 'eventemitter3';
import type { CaptureSource, CapturedFrame } from './types.js';

/** What a subscriber learns with each frame besides the frame itself. */
export interface HubDelivery {
  /** Frames this subscriber lost (its queue was full) right before this one. */
  readonly droppedBefore: number;
}

/**
 * Receives frames in capture order. A sink that returns a promise gets the next frame only
 * after it settles; meanwhile frames wait in its own bounded queue, so a slow sink delays
 * nobody but itself.
 */
export type FrameSink = (frame: CapturedFrame, delivery: HubDelivery) => void | Promise<void>;

export interface SubscribeOptions {
  /** Frames allowed to wait for this subscriber (default 64). */
  readonly maxQueueFrames?: number;
  /** Bytes allowed to wait for this subscriber (default 64 MiB). */
  readonly maxQueueBytes?: number;
  /** Which frame to keep when the queue is full: recorders keep order (newest), a preview wants the freshest (oldest). */
  readonly overflow?: 'drop_newest' | 'drop_oldest';
  /** Only every Nth frame (default 1: all). */
  readonly everyNth?: number;
  /** At most this many frames per second, judged on arrival times (default: no limit). */
  readonly maxFps?: number;
}

export interface SubscriberStats {
  readonly name: string;
  readonly delivered: number;
  /** Frames lost because this subscriber's queue was full. */
  readonly dropped: number;
  /** Frames left out on purpose by the rate limit (not losses). */
  readonly skipped: number;
  readonly queuedFrames: number;
  readonly queuedBytes: number;
}

export interface FrameHubEvents {
  /** A subscriber's queue overflowed; count is how many frames it lost just now. */
  frames_lost: (subscriber: string, count: number) => void;
  /** A sink threw or rejected; the hub goes on delivering to it and to everyone else. */
  sink_error: (subscriber: string, error: unknown) => void;
}

const DEFAULT_QUEUE_FRAMES = 64;
const DEFAULT_QUEUE_BYTES = 64 * 1024 * 1024;
/** A frame arriving slightly early (jitter) still counts as due for a maxFps limit. */
const RATE_TOLERANCE = 0.9;

function isPromise(value: unknown): value is Promise<void> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A frame waiting for its subscriber, with the frames this subscriber lost right before it. */
interface Waiting {
  readonly frame: CapturedFrame;
  droppedBefore: number;
}

/** One subscriber: its own queue, its own counters; frames are held by reference, never copied. */
class Subscription {
  private readonly queue: Waiting[] = [];
  private queuedBytes = 0;
  private busy = false;
  private closed = false;
  private pendingDropped = 0;
  private seen = 0;
  private lastAcceptedNs: bigint | null = null;
  private readonly minIntervalNs: bigint | null;
  private readonly maxFrames: number;
  private readonly maxBytes: number;
  private readonly everyNth: number;
  delivered = 0;
  dropped = 0;
  skipped = 0;

  constructor(
    readonly name: string,
    private readonly sink: FrameSink,
    private readonly options: SubscribeOptions,
    private readonly hub: FrameHub,
  ) {
    this.maxFrames = Math.max(1, options.maxQueueFrames ?? DEFAULT_QUEUE_FRAMES);
    this.maxBytes = Math.max(1, options.maxQueueBytes ?? DEFAULT_QUEUE_BYTES);
    this.everyNth = Math.max(1, Math.floor(options.everyNth ?? 1));
    this.minIntervalNs = options.maxFps && options.maxFps > 0 ? BigInt(Math.round((1e9 / options.maxFps) * RATE_TOLERANCE)) : null;
  }

  offer(frame: CapturedFrame): void {
    if (this.closed || !this.wanted(frame)) return;
    if (!this.busy && this.queue.length === 0) {
      this.deliver(frame);
      return;
    }
    if (this.queue.length < this.maxFrames && this.queuedBytes + frame.data.length <= this.maxBytes) {
      this.enqueue(frame);
      return;
    }
    if (this.options.overflow === 'drop_oldest' && this.queue.length > 0) {
      const oldest = this.queue.shift() as Waiting;
      this.queuedBytes -= oldest.frame.data.length;
      const next = this.queue[0];
      if (next) next.droppedBefore += oldest.droppedBefore + 1;
      else this.pendingDropped += oldest.droppedBefore + 1;
      this.noteLost();
      this.enqueue(frame);
      return;
    }
    this.pendingDropped += 1;
    this.noteLost();
  }

  stats(): SubscriberStats {
    return {
      name: this.name, delivered: this.delivered, dropped: this.dropped, skipped: this.skipped,
      queuedFrames: this.queue.length, queuedBytes: this.queuedBytes,
    };
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private wanted(frame: CapturedFrame): boolean {
    this.seen += 1;
    if ((this.seen - 1) % this.everyNth !== 0) {
      this.skipped += 1;
      return false;
    }
    if (this.minIntervalNs !== null) {
      const now = frame.arrival.monoNs;
      if (this.lastAcceptedNs !== null && now - this.lastAcceptedNs < this.minIntervalNs) {
        this.skipped += 1;
        return false;
      }
      this.lastAcceptedNs = now;
    }
    return true;
  }

  /** Losses are attached to the next frame that gets in line, so droppedBefore always means "right before this one". */
  private enqueue(frame: CapturedFrame): void {
    this.queue.push({ frame, droppedBefore: this.pendingDropped });
    this.pendingDropped = 0;
    this.queuedBytes += frame.data.length;
  }

  private noteLost(): void {
    this.dropped += 1;
    this.hub.noteLost(this.name);
  }

  private deliver(frame: CapturedFrame, queuedDrops?: number): void {
    let droppedBefore = queuedDrops;
    if (droppedBefore === undefined) {
      droppedBefore = this.pendingDropped;
      this.pendingDropped = 0;
    }
    this.delivered += 1;
    let result: void | Promise<void>;
    try {
      result = this.sink(frame, { droppedBefore });
    } catch (err) {
      this.hub.emit('sink_error', this.name, err);
      return;
    }
    if (!isPromise(result)) return;
    this.busy = true;
    result.then(
      () => this.settled(),
      (err: unknown) => {
        this.hub.emit('sink_error', this.name, err);
        this.settled();
      },
    );
  }

  private settled(): void {
    this.busy = false;
    while (!this.busy && !this.closed && this.queue.length > 0) {
      const next = this.queue.shift() as Waiting;
      this.queuedBytes -= next.frame.data.length;
      this.deliver(next.frame, next.droppedBefore);
    }
  }
}

/**
 * One camera's frames, fanned out to every consumer (trial recorder, segment ring, preview,
 * snapshot, test taps). It outlives capture restarts, mode changes and reconnects: each new
 * capture is attached to the same hub, so subscribers stay subscribed. Publishing never
 * waits for a subscriber.
 */
export class FrameHub extends EventEmitter<FrameHubEvents> {
  private readonly subscriptions = new Set<Subscription>();
  private readonly lostByName = new Map<string, number>();
  /** The newest frame, by reference (take_snapshot, the preview's first picture). */
  latest: CapturedFrame | null = null;
  published = 0;

  subscribe(name: string, sink: FrameSink, options: SubscribeOptions = {}): () => void {
    const subscription = new Subscription(name, sink, options, this);
    this.subscriptions.add(subscription);
    return () => {
      subscription.close();
      this.subscriptions.delete(subscription);
    };
  }

  publish(frame: CapturedFrame): void {
    this.latest = frame;
    this.published += 1;
    for (const subscription of this.subscriptions) subscription.offer(frame);
  }

  /** Feeds the hub from a capture until the returned function detaches it. */
  attach(source: CaptureSource): () => void {
    const onFrame = (frame: CapturedFrame): void => this.publish(frame);
    source.on('frame', onFrame);
    return () => {
      source.off('frame', onFrame);
    };
  }

  stats(): SubscriberStats[] {
    return [...this.subscriptions].map((subscription) => subscription.stats());
  }

  /** Frames lost by subscribers since the hub was made, by subscriber name (kept after they unsubscribe). */
  droppedFrames(): ReadonlyMap<string, number> {
    return this.lostByName;
  }

  /** Called by a subscription whose queue overflowed. */
  noteLost(name: string): void {
    this.lostByName.set(name, (this.lostByName.get(name) ?? 0) + 1);
    this.emit('frames_lost', name, 1);
  }
}
