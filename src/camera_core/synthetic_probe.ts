import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import type { FfmpegInfo } from '../ffmpeg/types.js';
import { describeFailure, lastLine, launcherFor, runCommand, type ProcessLauncher } from '../process/run_command.js';
import { NodeProcessSpawner } from '../process/spawner.js';
import { parseDeviceSpec } from './device_spec.js';
import { isMjpegPixelFormat } from './input_args.js';
import { parseVideoStreamInfo } from './stream_info.js';
import type { CameraCapabilities, CameraIdentity, CaptureMode, DeviceProbe } from './types.js';

/** Anything that hands out the located ffmpeg, or throws FFMPEG_NOT_FOUND (e.g. FfmpegProvider). */
export interface LocatedFfmpeg {
  require(): Pick<FfmpegInfo, 'path'>;
}

const PROBE_TIMEOUT_MS = 10_000;
const NO_CAPABILITIES: CameraCapabilities = { modes: [], controls: [] };

/**
 * Capabilities of the synthetic sources: a synthetic camera has exactly the mode its path
 * names; a replay camera has the size and rate of its clip (read once with `ffmpeg -i`).
 * AVFoundation and DirectShow cameras get an empty mode list, which means "open the
 * camera with the configured mode"; V4L2 cameras are probed by V4l2NodeProbe (see
 * CompositeDeviceProbe). None of these has controls.
 */
export class SyntheticDeviceProbe implements DeviceProbe {
  private readonly clipModes = new Map<string, Promise<CaptureMode>>();

  /**
   * ffmpeg is asked for only when a replay clip is probed, so this can be built before
   * ffmpeg is located (an FfmpegProvider fits). Pass the ProcessRegistry as launcher so
   * shutdown also ends a probe in flight.
   */
  constructor(
    private readonly ffmpeg: LocatedFfmpeg,
    private readonly launcher: ProcessLauncher = launcherFor(new NodeProcessSpawner()),
  ) {}

  async probe(identity: CameraIdentity): Promise<CameraCapabilities> {
    const spec = parseDeviceSpec(identity.devicePath);
    switch (spec.kind) {
      case 'synthetic':
        return { modes: [{ width: spec.width, height: spec.height, fps: spec.fps, pixel_format: 'mjpeg' }], controls: [] };
      case 'replay':
        return { modes: [await this.clipMode(spec.path)], controls: [] };
      default:
        return NO_CAPABILITIES;
    }
  }

  async setControl(identity: CameraIdentity, control: string, _value: number | boolean | string): Promise<void> {
    throw new ModuleError('INVALID_CONTROL', `Camera "${identity.name}" has no controls`, {
      field: 'control',
      data: { control },
    });
  }

  /** A synthetic source is always where its spec says; a replay clip that is missing fails at open. */
  async locate(identity: CameraIdentity): Promise<CameraIdentity | null> {
    return identity;
  }

  private clipMode(clip: string): Promise<CaptureMode> {
    const key = path.resolve(clip);
    let mode = this.clipModes.get(key);
    if (!mode) {
      mode = this.readClipMode(key);
      this.clipModes.set(key, mode);
      mode.catch(() => this.clipModes.delete(key));
    }
    return mode;
  }

  private async readClipMode(clip: string): Promise<CaptureMode> {
    // Without an output ffmpeg exits with code 1 after printing the input's streams.
    const run = await runCommand(this.launcher, this.ffmpeg.require().path, ['-hide_banner', '-nostdin', '-i', `file:${clip}`], {
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    const info = parseVideoStreamInfo(run.stderr);
    if (!info) {
      const why = run.spawnError || run.timedOut ? describeFailure(run, PROBE_TIMEOUT_MS) : lastLine(run.stderr);
      throw new ModuleError('DEVICE_FAILED', `Clip ${clip} has no readable video stream: ${why ?? 'no output'}`, {
        field: 'device_path',
      });
    }
    const pixelFormat = isMjpegPixelFormat(info.codec) ? 'mjpeg' : info.codec;
    return { width: info.width, height: info.height, fps: info.fps, pixel_format: pixelFormat };
  }
}
