// The metrics bar: one server-sent "metrics" event a second. Colours come from the
// server's health levels (thresholds in src/view/health.ts); the page only shows them.
import { dash, duration, fixed, gigabytes, timeLeft } from './format.js';

function setMetric(testid, text, health, raw) {
  const element = document.querySelector(`[data-testid="${testid}"]`);
  element.querySelector('.value').textContent = text;
  if (health !== undefined) element.dataset.health = health;
  element.dataset.value = raw === null || raw === undefined ? '' : String(raw);
}

function cameraBanner(sample) {
  if (sample.camera === 'lost') return 'Camera lost — reconnecting…';
  if (sample.camera === 'none') return 'No camera assigned';
  return null;
}

export function showSample(sample) {
  const stateHealth = sample.health.camera;
  setMetric('metric-state', sample.camera === 'lost' ? `${sample.state} (camera lost)` : sample.state, stateHealth, sample.state);
  const trial = sample.trial_number === null ? dash : `#${sample.trial_number}${sample.trial_label ? ` ${sample.trial_label}` : ''}`;
  setMetric('metric-trial', trial, undefined, sample.trial_number);
  setMetric('metric-elapsed', duration(sample.elapsed_seconds), undefined, sample.elapsed_seconds);
  setMetric('metric-capture-fps', fixed(sample.capture_fps), undefined, sample.capture_fps);
  setMetric('metric-record-fps', fixed(sample.record_fps), sample.health.record_fps, sample.record_fps);
  setMetric('metric-queue', String(sample.queue_depth), sample.health.queue, sample.queue_depth);
  setMetric('metric-dropped', String(sample.frames_dropped), sample.health.drops, sample.frames_dropped);
  const disk = sample.disk ? `${gigabytes(sample.disk.available_bytes)} free · ${timeLeft(sample.disk.estimated_seconds_left)}` : dash;
  setMetric('metric-disk', disk, sample.health.disk, sample.disk?.available_bytes);
  setMetric('metric-file', sample.current_file ?? dash, undefined, sample.current_file);
  // data-tick marks the once-a-second samples only (interim ones come after a camera or trial change).
  if (!sample.interim) document.querySelector('[data-testid="metrics-bar"]').dataset.tick = String(sample.time_ms);
  const banner = document.querySelector('[data-testid="camera-banner"]');
  const text = cameraBanner(sample);
  banner.hidden = text === null;
  banner.textContent = text ?? '';
  document.body.dataset.camera = sample.camera;
}

/** Follows the metrics stream; EventSource reconnects by itself when it breaks. */
export function followMetrics({ onHistory, onSample }) {
  const source = new EventSource('api/metrics');
  source.addEventListener('history', (event) => onHistory(JSON.parse(event.data)));
  source.addEventListener('metrics', (event) => onSample(JSON.parse(event.data)));
  source.addEventListener('error', () => {
    const element = document.querySelector('[data-testid="metric-state"]');
    element.querySelector('.value').textContent = 'view disconnected';
    element.dataset.health = 'bad';
  });
  return source;
}
