// How figures read on the metrics bar.

export const dash = '–';

export function fixed(value, digits = 1) {
  return value === null || value === undefined ? dash : Number(value).toFixed(digits);
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return dash;
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function gigabytes(bytes) {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

export function timeLeft(seconds) {
  if (seconds === null || seconds === undefined) return 'rate unknown';
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours > 0 ? `${hours} h ${minutes} min left` : `${minutes} min left`;
}
