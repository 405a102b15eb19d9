/** What replaces the end of a shortened string, so a reader sees it was cut and by how much. */
export const truncationMarker = (removedChars: number): string => `…[truncated ${removedChars} chars]`;

/** Cuts `text` to `maxChars` characters plus a marker; never splits a surrogate pair. */
export function shortenString(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let keep = maxChars;
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return `${text.slice(0, keep)}${truncationMarker(text.length - keep)}`;
}

/** A copy of a JSON value whose strings (at any depth, keys excepted) are at most `maxChars` long. */
export function shortenStrings(value: unknown, maxChars: number): unknown {
  if (typeof value === 'string') return shortenString(value, maxChars);
  if (Array.isArray(value)) return value.map((item) => shortenStrings(item, maxChars));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shortenStrings(item, maxChars)]));
  }
  return value;
}
