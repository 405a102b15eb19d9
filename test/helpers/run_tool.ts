import { NodeProcessSpawner } from '../../src/process/spawner.js';
import { ProcessRegistry } from '../../src/process/owned_process.js';

export interface ToolResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number | null;
}

const registry = new ProcessRegistry(new NodeProcessSpawner());

/** Runs a tool to completion through the process owner; stdout kept as bytes. */
export async function runTool(command: string, args: readonly string[], input?: Buffer): Promise<ToolResult> {
  const proc = registry.start(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
