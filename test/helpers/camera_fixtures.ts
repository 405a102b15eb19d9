import { readFileSync } from 'node:fs';

/** Where the recorded tool outputs of real cameras live (see each file's header). */
export const CAMERA_FIXTURES = new URL('../../../test/fixtures/cameras/', import.meta.url);

/** A recorded tool output without its "# " header lines, i.e. exactly what the tool printed. */
export function cameraFixture(relativePath: string): string {
  const text = readFileSync(new URL(relativePath, CAMERA_FIXTURES), 'utf8');
  const lines = text.split('\n');
  let start = 0;
  while (start < lines.length && lines[start]?.startsWith('# ')) start += 1;
  return lines.slice(start).join('\n');
}
