import { ClipRejection } from './clip_window.js';

/** C0 and C1 controls (NUL, newline, tab, escape...), DEL and the Unicode line separators: none belongs in a one-line label. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A clip label as the job keeps it: null when absent or empty; 400 when it holds a control character. */
export function clipLabel(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  const bad = CONTROL.exec(value);
  if (bad !== null) {
    const code = bad[0].codePointAt(0)!.toString(16).padStart(4, '0');
    throw new ClipRejection(400, `label must not contain control characters or line breaks (U+${code} at position ${bad.index})`);
  }
  return value;
}
