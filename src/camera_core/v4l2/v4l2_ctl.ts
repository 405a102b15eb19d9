import { ModuleError } from '../../errors/codes.js';
import { describeFailure, runCommand, type ProcessLauncher } from '../../process/run_command.js';
import { errnoCode } from '../../errors/errno.js';

/** The program, looked up on PATH like a shell would (tests put a fake one first on PATH). */
export const V4L2_CTL = 'v4l2-ctl';
const TIMEOUT_MS = 5000;

export type ToolAnswer =
  | { readonly ok: true; readonly stdout: string }
  /** missing: the program is not installed, so a fallback makes sense; otherwise it ran and failed. */
  | { readonly ok: false; readonly missing: boolean; readonly reason: string };

/**
 * Runs v4l2-ctl (v4l-utils) against one device node. Older versions exit 0 even when
 * setting a control failed, so there a "failed" line on stderr counts as failure too; a
 * listing is taken whenever it exits 0 (a camera may fail to report one control's value
 * and still list the others).
 */
export class V4l2Ctl {
  constructor(private readonly launcher: ProcessLauncher, private readonly program: string = V4L2_CTL) {}

  async query(device: string, option: '--info' | '--list-formats-ext' | '--list-ctrls-menus'): Promise<ToolAnswer> {
    return this.run(['-d', device, option], false);
  }

  /** Sets one control; value is the V4L2 integer (bools as 0/1, menus by index). */
  async setControl(device: string, name: string, value: number): Promise<void> {
    const answer = await this.run(['-d', device, `--set-ctrl=${name}=${value}`], true);
    if (answer.ok) return;
    if (answer.missing) {
      throw new ModuleError('DEVICE_FAILED', `Cannot set ${name}: ${V4L2_CTL} (v4l-utils) is not installed`, { field: 'control' });
    }
    throw new ModuleError('INVALID_CONTROL', `The camera at ${device} refused ${name}=${value}: ${answer.reason}`, {
      field: 'control', data: { control: name, value },
    });
  }

  private async run(args: readonly string[], stderrFailures: boolean): Promise<ToolAnswer> {
    const result = await runCommand(this.launcher, this.program, args, { timeoutMs: TIMEOUT_MS });
    const spawnCode = errnoCode(result.spawnError);
    if (spawnCode === 'ENOENT') return { ok: false, missing: true, reason: `${this.program} was not found on PATH` };
    const failure = describeFailure(result, TIMEOUT_MS) ?? (stderrFailures ? failedLine(result.stderr) : null);
    if (failure) return { ok: false, missing: false, reason: failure };
    return { ok: true, stdout: result.stdout };
  }
}

function failedLine(stderr: string): string | null {
  return stderr.split(/\r?\n/).map((l) => l.trim()).find((l) => /\bfailed\b|^unknown control|^Cannot open/i.test(l)) ?? null;
}
