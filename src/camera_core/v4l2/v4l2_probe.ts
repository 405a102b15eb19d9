import { ModuleError } from '../../errors/codes.js';
import { lastLine, runCommand, type ProcessLauncher } from '../../process/run_command.js';
import type { LocatedFfmpeg } from '../synthetic_probe.js';
import type { CameraCapabilities } from '../types.js';
import { parseListCtrls } from './ctrls_parser.js';
import { parseFfmpegListFormats } from './ffmpeg_formats_parser.js';
import type { PixelFormatInfo } from './format_types.js';
import { isVideoCaptureNode, parseV4l2Info } from './info_parser.js';
import { parseListFormatsExt } from './list_formats_parser.js';
import { modesFromFormats } from './modes_from_formats.js';
import type { V4l2Ctl } from './v4l2_ctl.js';

const FFMPEG_LIST_TIMEOUT_MS = 10_000;

/** Everything a probe of one V4L2 node found, for device_capabilities and the devices command. */
export interface V4l2Description {
  readonly capabilities: CameraCapabilities;
  /** The formats as the node lists them, including ones ffmpeg cannot capture. */
  readonly formats: readonly PixelFormatInfo[];
  /** Where the formats came from: v4l2-ctl, or ffmpeg's listing when v4l2-ctl is not installed. */
  readonly formatSource: 'v4l2-ctl' | 'ffmpeg';
  readonly notes: readonly string[];
}

/**
 * Probes a V4L2 node: formats, sizes and rates from `v4l2-ctl --list-formats-ext`
 * (falling back to `ffmpeg -f v4l2 -list_formats all`, which knows no rates), controls
 * from `v4l2-ctl --list-ctrls-menus`. A node that is not a video capture node (a UVC
 * metadata node) or cannot be opened fails with DEVICE_FAILED.
 */
export class V4l2NodeProbe {
  constructor(
    private readonly v4l2Ctl: V4l2Ctl,
    private readonly ffmpeg: LocatedFfmpeg,
    private readonly launcher: ProcessLauncher,
  ) {}

  async describe(devicePath: string): Promise<V4l2Description> {
    const notes: string[] = [];
    const info = await this.v4l2Ctl.query(devicePath, '--info');
    if (info.ok) {
      const parsed = parseV4l2Info(info.stdout);
      if (parsed.deviceCaps.length > 0 && !isVideoCaptureNode(parsed)) {
        throw new ModuleError('DEVICE_FAILED', `${devicePath} is not a video capture node (its caps: ${parsed.deviceCaps.join(', ')}); UVC cameras capture on the node before their metadata node`, { field: 'device_path' });
      }
    } else if (!info.missing) {
      throw new ModuleError('DEVICE_FAILED', `Camera ${devicePath} could not be probed: ${info.reason}`, { field: 'device_path' });
    }
    const { formats, source } = await this.listFormats(devicePath, notes);
    const ctrls = await this.v4l2Ctl.query(devicePath, '--list-ctrls-menus');
    if (!ctrls.ok) notes.push(`controls unknown: ${ctrls.reason}`);
    return {
      capabilities: { modes: modesFromFormats(formats), controls: ctrls.ok ? parseListCtrls(ctrls.stdout) : [] },
      formats,
      formatSource: source,
      notes,
    };
  }

  async setControl(devicePath: string, control: string, value: number | boolean | string): Promise<void> {
    const number = typeof value === 'string' && value.trim() === '' ? NaN : Number(value);
    if (!Number.isInteger(number)) {
      throw new ModuleError('INVALID_CONTROL', `${control}: V4L2 controls take integers; got ${JSON.stringify(value)}`, { field: 'value' });
    }
    await this.v4l2Ctl.setControl(devicePath, control, number);
  }

  private async listFormats(devicePath: string, notes: string[]): Promise<{ formats: PixelFormatInfo[]; source: 'v4l2-ctl' | 'ffmpeg' }> {
    const answer = await this.v4l2Ctl.query(devicePath, '--list-formats-ext');
    if (answer.ok) return { formats: parseListFormatsExt(answer.stdout), source: 'v4l2-ctl' };
    if (!answer.missing) throw new ModuleError('DEVICE_FAILED', `Formats of ${devicePath} could not be listed: ${answer.reason}`);
    notes.push(`${answer.reason}; formats from ffmpeg, which lists no frame rates (30 fps assumed)`);
    // Without an output ffmpeg exits 1 after listing; the listing itself is the result.
    const run = await runCommand(this.launcher, this.ffmpeg.require().path,
      ['-hide_banner', '-nostdin', '-f', 'v4l2', '-list_formats', 'all', '-i', devicePath], { timeoutMs: FFMPEG_LIST_TIMEOUT_MS });
    const formats = parseFfmpegListFormats(run.stderr);
    if (formats.length === 0) {
      throw new ModuleError('DEVICE_FAILED', `Formats of ${devicePath} could not be listed by ffmpeg: ${lastLine(run.stderr)}`);
    }
    return { formats, source: 'ffmpeg' };
  }
}
