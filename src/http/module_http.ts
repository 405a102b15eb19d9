import type { FastifyPluginAsync } from 'fastify';
import type { ResolvedConfig } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { CamerasModuleHandle } from '../module_handle.js';
import type { EncryptionSettings } from '../crypto/encryption_config.js';
import type { FileLifecycle } from '../storage/file_lifecycle.js';
import { NameReserver } from '../storage/name_reserver.js';
import type { RingReadKey } from '../storage/segments/plaintext_source.js';
import { ringReadKeyFor, type RingFiles } from '../storage/segments/ring_files.js';
import type { StorageReader } from '../storage/segments/segment_ring.js';
import type { FileSinks } from '../storage/sinks/file_sinks.js';
import { moduleViewSource } from '../view/module_view_source.js';
import { registerViewRoutes } from '../view/view_routes.js';
import { ClipApi } from './clip_api.js';
import { clipRoutes, type ClipRoutesOptions } from './clip_routes.js';
import { createHttpServer, type HttpServer } from './server.js';
import { randomBytes } from 'node:crypto';
import type { ModuleWindow } from '../window/window_port.js';
import { WindowPasses } from '../window/window_passes.js';
import { windowRoutes } from '../window/window_routes.js';

export interface ModuleHttpDeps {
  readonly handle: CamerasModuleHandle;
  readonly config: ResolvedConfig;
  readonly diskGuard: StorageReader;
  readonly logger: Logger;
  /** The module's file sinks (DI FileSinks): ring segments and clips are written through them. */
  readonly sinks: FileSinks;
  /** The module's file lifecycle (DI FileLifecycle): ring and clip files announce themselves there. */
  readonly lifecycle: FileLifecycle;
  /** The module's encryption (DI Encryption): the key the ring reads its encrypted segments with. */
  readonly encryption: EncryptionSettings;
  /** The module's window (DI Window): its page reports its geometry here, and it needs a server even with http off. */
  readonly window: ModuleWindow;
}

/** Every route of the module's server: the clip API, and the web view at `/`. */
export function moduleRoutePlugins(handle: CamerasModuleHandle, ring: ClipRoutesOptions): FastifyPluginAsync[] {
  return [clipRoutes(ring), async (app) => registerViewRoutes(app, moduleViewSource(handle), { prefix: '' })];
}

/** Owner name of the ring's listener on the module bus. */
const RING_OWNER = 'segment-ring';

/**
 * The module's HTTP side, for the module's lifetime: one server (the web view at `/`, the
 * clip API beside it) when `http.enabled`, and — with `segments.enabled` — the segment ring
 * of the assigned camera, one more subscriber of its frame hub, started when the camera is
 * ready and stopped when it is released. Ring changes run one after another.
 */
export class ModuleHttp {
  private ringApi: ClipApi | null = null;
  private ringCamera: string | null = null;
  private ringChanges: Promise<void> = Promise.resolve();

  private readonly reserver = new NameReserver();

  private constructor(
    private readonly deps: ModuleHttpDeps,
    private server: HttpServer | null,
    /** Resolved at start: a ring that could not read its own encrypted segments is refused there. */
    private readonly readKey: RingReadKey,
  ) {}

  /** Passes for the module's own window, when the server wants a token. */
  private passes: WindowPasses | null = null;

  get url(): string | null {
    return this.server?.url ?? null;
  }

  get windowPasses(): WindowPasses | null {
    return this.passes;
  }

  static async start(deps: ModuleHttpDeps): Promise<ModuleHttp> {
    const front = new ModuleHttp(deps, null, deps.config.segments.enabled ? ringReadKeyFor(deps.encryption) : null);
    if (deps.config.segments.enabled) {
      deps.handle.events.on('status', RING_OWNER, (message) => {
        if (message.status === 'device_ready' || message.status === 'device_released') front.queueRingChange();
      });
    }
    const listen = serverFor(deps);
    if (listen) {
      front.passes = listen.token === null ? null : new WindowPasses();
      front.server = await createHttpServer({ ...listen, windowPasses: front.passes, logger: deps.logger }, [
        ...moduleRoutePlugins(deps.handle, { current: () => front.ringApi, camera: () => front.cameraJson() }),
        windowRoutes(deps.window),
      ]);
    }
    return front;
  }

  /** Closes the server (open pages and streams end), then seals the ring's open segment. */
  async stop(): Promise<void> {
    this.deps.handle.events.removeOwner(RING_OWNER);
    await this.server?.close();
    this.server = null;
    await this.ringChanges;
    await this.stopRing();
  }

  private cameraJson(): Record<string, unknown> | null {
    const camera = this.deps.handle.runtime.channel.assigned;
    if (!camera) return null;
    const { width, height, fps } = camera.selection.captureMode;
    return { id: camera.cameraId, name: camera.identity.name, mode: { width, height, fps } };
  }

  private queueRingChange(): void {
    this.ringChanges = this.ringChanges.then(() => this.followCamera()).catch((err: unknown) => {
      this.deps.logger.error('segment ring could not follow the camera', { error: err instanceof Error ? err.message : String(err) });
    });
  }

  /** A ring for the camera now assigned (a new one when the camera changed), none without a camera. */
  private async followCamera(): Promise<void> {
    const camera = this.deps.handle.runtime.channel.camera;
    if (camera === null) {
      // Released, or lost and being reopened: a lost camera keeps its ring (device_ready follows).
      if (this.deps.handle.runtime.channel.assigned === null) await this.stopRing();
      return;
    }
    const { width, height, fps } = camera.selection.captureMode;
    if (this.ringApi !== null && this.ringCamera === camera.identity.stableId) {
      this.ringApi.ring.setMode({ width, height, fps });
      return;
    }
    await this.stopRing();
    this.ringApi = await ClipApi.start({
      config: this.deps.handle.runtime.currentConfig, stableId: camera.identity.stableId, mode: { width, height, fps },
      source: this.deps.handle.runtime.channel.hub, diskGuard: this.deps.diskGuard, http: false, logger: this.deps.logger,
      files: this.ringFiles(camera.cameraId),
    });
    this.ringCamera = camera.identity.stableId;
  }

  private ringFiles(cameraId: string): RingFiles {
    return { sinks: this.deps.sinks, reserver: this.reserver, lifecycle: this.deps.lifecycle, readKey: this.readKey, cameraId };
  }

  private async stopRing(): Promise<void> {
    const api = this.ringApi;
    this.ringApi = null;
    this.ringCamera = null;
    await api?.stop();
  }
}

/**
 * Where the server listens: as http configures it, or — http off, a window wanted — on a
 * free loopback port behind a token the module makes for itself (its window gets in with a
 * one-time pass; no other local client or page learns the token).
 */
function serverFor(deps: ModuleHttpDeps): { host: string; port: number; token: string | null; allowedHosts: readonly string[] } | null {
  const { enabled, host, port, token, allowed_hosts: allowedHosts } = deps.config.http;
  if (enabled) return { host, port, token, allowedHosts };
  if (deps.window.wanted) return { host: '127.0.0.1', port: 0, token: randomBytes(32).toString('base64url'), allowedHosts: [] };
  return null;
}
