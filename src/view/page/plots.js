// The plots (uPlot, served from the package): capture/record fps, writer queue and frame
// interval jitter over the last minutes, and the current trial's frame interval histogram.
import uPlot from './uPlot.esm.js';

const WINDOW = 300;
const HEIGHT = 150;

function width(element) {
  return Math.max(300, element.clientWidth || 480);
}

function timeSeries(element, title, series) {
  const data = [[], ...series.map(() => [])];
  const plot = new uPlot({
    title,
    width: width(element),
    height: HEIGHT,
    scales: { x: { time: true } },
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 1.5 }))],
  }, data, element);
  return {
    reset(samples) {
      data[0] = samples.map((s) => s.time_ms / 1000);
      series.forEach((s, i) => { data[i + 1] = samples.map(s.value); });
      plot.setData(data);
    },
    push(sample) {
      data[0].push(sample.time_ms / 1000);
      series.forEach((s, i) => data[i + 1].push(s.value(sample)));
      if (data[0].length > WINDOW) data.forEach((column) => column.shift());
      plot.setData(data);
    },
  };
}

function histogramPlot(element) {
  const bars = uPlot.paths.bars({ size: [0.9, 40] });
  const plot = new uPlot({
    title: 'Frame intervals, current trial (ms)',
    width: width(element),
    height: HEIGHT,
    scales: { x: { time: false } },
    series: [{ label: 'ms' }, { label: 'frames', stroke: '#2b6cb0', fill: 'rgba(43,108,176,0.4)', paths: bars, points: { show: false } }],
  }, [[], []], element);
  return {
    show(histogram) {
      if (!histogram) {
        plot.setData([[], []]);
        element.dataset.total = '0';
        return;
      }
      const xs = histogram.counts.map((_, i) => histogram.first_ms + i * histogram.bin_ms);
      plot.setData([xs, histogram.counts]);
      element.dataset.total = String(histogram.total);
    },
  };
}

export function createPlots() {
  const byId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const fps = timeSeries(byId('plot-fps'), 'fps', [
    { label: 'capture', stroke: '#2f855a', value: (s) => s.capture_fps },
    { label: 'record', stroke: '#c05621', value: (s) => s.record_fps },
  ]);
  const queue = timeSeries(byId('plot-queue'), 'Writer queue (frames)', [
    { label: 'queue', stroke: '#6b46c1', value: (s) => s.queue_depth },
  ]);
  const jitter = timeSeries(byId('plot-jitter'), 'Frame interval jitter (ms, std. dev. per second)', [
    { label: 'jitter', stroke: '#c53030', value: (s) => s.jitter_ms },
  ]);
  const histogram = histogramPlot(byId('plot-histogram'));
  return {
    reset(samples) {
      fps.reset(samples);
      queue.reset(samples);
      jitter.reset(samples);
      histogram.show(samples.at(-1)?.histogram ?? null);
    },
    push(sample) {
      fps.push(sample);
      queue.push(sample);
      jitter.push(sample);
      histogram.show(sample.histogram);
    },
  };
}
