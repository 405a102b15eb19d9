import { parseArgs } from 'node:util';
import { ClipError, ClipHttpError, ClipRequestError } from '../client/errors.js';
import { Recorder, type ClipRequest } from '../client/recorder.js';

export const CLIP_USAGE = 'usage: cameras-usb2 clip --url URL (--start-ms A --stop-ms B | --start-pts A --stop-pts B) [--label L] [--out DIR] '
  + '[--filename NAME] [--preroll-ms N] [--postroll-ms N] [--max-wait-ms N] [--token T]\n'
  + '  asks the producer at URL for a clip of that window and prints the clip\'s path (token also from CAMERAS_HTTP_TOKEN)\n';

export interface ClipCliIo {
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function numberFlag(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new ClipError(`--${name} must be a number, got '${value}'`);
  return parsed;
}

/** `cameras-usb2 clip …`: exit 0 and the path on stdout, 1 when the clip failed, 2 for bad usage. */
export async function runClip(args: string[], io: ClipCliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args, strict: true, allowPositionals: false,
      options: {
        url: { type: 'string' }, 'start-ms': { type: 'string' }, 'stop-ms': { type: 'string' },
        'start-pts': { type: 'string' }, 'stop-pts': { type: 'string' }, label: { type: 'string' }, out: { type: 'string' },
        filename: { type: 'string' }, 'preroll-ms': { type: 'string' }, 'postroll-ms': { type: 'string' },
        'max-wait-ms': { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    io.printError(`${(err as Error).message}\n${CLIP_USAGE}`);
    return 2;
  }
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] as string : undefined);
  if (values['help']) {
    io.print(CLIP_USAGE.trimEnd());
    return 0;
  }
  const url = str('url');
  const hasPts = str('start-pts') !== undefined || str('stop-pts') !== undefined;
  const hasMs = str('start-ms') !== undefined || str('stop-ms') !== undefined;
  if (url === undefined || (!hasPts && !hasMs)) {
    io.printError(CLIP_USAGE);
    return 2;
  }
  try {
    const maxWait = numberFlag(str('max-wait-ms'), 'max-wait-ms');
    const recorder = new Recorder({
      producerBaseUrl: url,
      token: str('token') ?? io.env?.['CAMERAS_HTTP_TOKEN'] ?? null,
      ...(maxWait === null ? {} : { maxWaitMs: maxWait }),
    });
    const request: ClipRequest = {
      startPtsNs: str('start-pts') ?? null,
      stopPtsNs: str('stop-pts') ?? null,
      startMs: numberFlag(str('start-ms'), 'start-ms'),
      stopMs: numberFlag(str('stop-ms'), 'stop-ms'),
      label: str('label') ?? null,
      outDir: str('out') ?? null,
      filename: str('filename') ?? null,
      prerollMs: numberFlag(str('preroll-ms'), 'preroll-ms'),
      postrollMs: numberFlag(str('postroll-ms'), 'postroll-ms'),
    };
    const result = await recorder.requestClip(request);
    io.print(result.path ?? '');
    return 0;
  } catch (err) {
    const status = err instanceof ClipHttpError && err.status !== null ? ` (HTTP ${err.status})` : '';
    io.printError(`clip failed${status}: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof ClipRequestError ? 2 : 1;
  }
}
