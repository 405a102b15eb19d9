import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';
import { FfmpegLocator } from '../../src/ffmpeg/locate.js';
import { FfprobeLocator } from '../../src/ffmpeg/locate_ffprobe.js';

export interface ToolResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number | null;
}

const registry = new ProcessRegistry(new NodeProcessSpawner());

let located: Promise<{ ffmpeg: string; ffprobe: string }> | null = null;

/** The ffmpeg and ffprobe the module itself would use (PATH, or the npm-shipped ones on a bare machine). */
export function locatedTools(): Promise<{ ffmpeg: string; ffprobe: string }> {
  located ??= (async () => {
    const ffmpeg = await new FfmpegLocator().locate();
    const ffprobe = await new FfprobeLocator().locate(ffmpeg.path);
    return { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path };
  })();
  return located;
}

/** Runs a tool to completion through the process owner; stdout kept as bytes. 'ffmpeg'/'ffprobe' mean the located ones. */
export async function runTool(command: string, args: readonly string[], input?: Buffer): Promise<ToolResult> {
  const tools = command === 'ffmpeg' || command === 'ffprobe' ? await locatedTools() : null;
  const proc = registry.start(tools ? tools[command as 'ffmpeg' | 'ffprobe'] : command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  proc.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  if (input !== undefined) proc.child.stdin?.end(input);
  else proc.child.stdin?.end();
  const exit = await proc.exited;
  if (exit.spawnError) throw exit.spawnError;
  return { stdout: Buffer.concat(chunks), stderr: exit.stderrTail, code: exit.code };
}

/** Like runTool, but a non-zero exit is an error carrying stderr. */
export async function runToolOk(command: string, args: readonly string[], input?: Buffer): Promise<ToolResult> {
  const result = await runTool(command, args, input);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result;
}
