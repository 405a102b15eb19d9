import { chmodSync, mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FakeBehaviour } from './fake_spawner.js';
import { recordedV4l2Output, type FakeUsbCamera } from './fake_cameras.js';

const KINDS = [['--info', 'info'], ['--list-formats-ext', 'formats'], ['--list-ctrls-menus', 'ctrls']] as const;

/** FakeSpawner script: v4l2-ctl answers from the cameras' recorded outputs; any other program is not installed. */
export function recordedV4l2Ctl(cameras: readonly FakeUsbCamera[]): (command: string, args: readonly string[]) => FakeBehaviour {
  return (command, args) => {
    if (command !== 'v4l2-ctl') return { spawnError: 'ENOENT' };
    const device = args[args.indexOf('-d') + 1] ?? '';
    const setCtrl = args.find((a) => a.startsWith('--set-ctrl='));
    if (setCtrl) return {};
    const output = recordedV4l2Output(cameras, device, args.at(-1) ?? '');
    return output === null ? { stderr: `Cannot open device ${device}, exiting.\n`, code: 1 } : { stdout: output };
  };
}

export interface FakeV4l2CtlInstall {
  /** Put this first on PATH. */
  readonly binDir: string;
  /** Every invocation's arguments, one line each. */
  calls(): string[];
  /** Makes --set-ctrl fail as v4l2-ctl does when the camera refuses (exit 255, message on stderr). */
  refuseSetCtrl(message: string): void;
}

/**
 * Writes an executable `v4l2-ctl` into <dir>/bin that prints the recorded output of the
 * node given with -d (info, formats, controls), fails like the real one for an unknown
 * node, accepts --set-ctrl, and logs every call.
 */
export function installFakeV4l2Ctl(dir: string, cameras: readonly FakeUsbCamera[]): FakeV4l2CtlInstall {
  const binDir = path.join(dir, 'bin');
  const dataDir = path.join(dir, 'v4l2-ctl-data');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  for (const camera of cameras) {
    for (const node of camera.nodes) {
      for (const [option, kind] of KINDS) {
        const output = recordedV4l2Output(cameras, `/dev/video${node.video}`, option);
        if (output !== null) writeFileSync(path.join(dataDir, `video${node.video}.${kind}`), output);
      }
    }
  }
  const log = path.join(dataDir, 'calls.log');
  const refusal = path.join(dataDir, 'set-ctrl.refused');
  const script = `#!/bin/sh
# Fake v4l2-ctl for tests: prints recorded outputs of real cameras (test/fixtures/cameras).
printf '%s\\n' "$*" >> '${log}'
dev=/dev/video0
kind=
prev=
for arg in "$@"; do
  case "$prev" in -d|--device) dev="$arg" ;; esac
  case "$arg" in
    --device=*) dev="\${arg#--device=}" ;;
    --info|-D) kind=info ;;
    --list-formats-ext) kind=formats ;;
    --list-ctrls-menus) kind=ctrls ;;
    --set-ctrl=*) kind=set ;;
  esac
  prev="$arg"
done
node=$(basename "$dev")
if [ ! -f '${dataDir}'/"$node".info ]; then
  echo "Cannot open device $dev, exiting." >&2
  exit 1
fi
if [ "$kind" = set ]; then
  if [ -f '${refusal}' ]; then cat '${refusal}' >&2; exit 255; fi
  exit 0
fi
cat '${dataDir}'/"$node"."$kind"
`;
  const program = path.join(binDir, 'v4l2-ctl');
  writeFileSync(program, script);
  chmodSync(program, 0o755);
  return {
    binDir,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : []),
    refuseSetCtrl: (message) => writeFileSync(refusal, `${message}\n`),
  };
}
