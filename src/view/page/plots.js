// The plots (uPlot, served from the package): capture/record fps, writer queue and frame
// interval jitter, and the trial's frame interval histogram. A page opened during a trial
// draws the trial from its first second (the module keeps the series); outside a trial,
// the last minutes.
import uPlot from './uPlot.esm.js';

/** Outside a trial the plots scroll over this many points; a trial's plots keep them all (halved when long). */
const RECENT_POINTS = 300;
const MAX_POINTS = 14_400;
const HEIGHT = 150;
/** Time axis steps: whole seconds only, however far the plot is zoomed. */
const WHOLE_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

function width(element) {
  return Math.max(300, element.clientWidth || 480);
}

/** Without a cursor on the plot its legend shows the newest values (uPlot's own legend otherwise shows none). */
function showNewest(plot) {
  const count = plot.data[0].length;
  if (count > 0 && plot.cursor.idx == null) plot.setLegend({ idx: count - 1 });
}

function timeSeries(element, title, series) {
  let data = [[], ...series.map(() => [])];
  let scrolling = true;
  const plot = new uPlot({
    title,
    width: width(element),
    height: HEIGHT,
    scales: { x: { time: true } },
    axes: [{ incrs: WHOLE_SECONDS }, {}],
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: s.width ?? 1.5, dash: s.dash }))],
    hooks: { setCursor: [(u) => { if (u.cursor.idx == null) showNewest(u); }] },
  }, data, element);
  const draw = () => {
    plot.setData(data);
    showNewest(plot);
    element.dataset.points = String(data[0].length);
    element.dataset.firstMs = data[0].length > 0 ? String(Math.round(data[0][0] * 1000)) : '';
  };
  return {
    reset(history) {
      scrolling = history.trial_number === null;
      data = [history.points.map((p) => p.time_ms / 1000), ...series.map((s) => history.points.map(s.value))];
      draw();
    },
    push(sample) {
      data[0].push(sample.time_ms / 1000);
      series.forEach((s, i) => data[i + 1].push(s.value(sample)));
      if (scrolling && data[0].length > RECENT_POINTS) data.forEach((column) => column.shift());
      // A trial longer than the page can hold keeps every other point, as the module does.
      if (data[0].length > MAX_POINTS) data = data.map((column) => column.filter((_, i) => i % 2 === 0));
      draw();
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
        element.dataset.longestMs = '';
        return;
      }
      const xs = histogram.counts.map((_, i) => histogram.first_ms + i * histogram.bin_ms);
      plot.setData([xs, histogram.counts]);
      element.dataset.total = String(histogram.total);
      element.dataset.longestMs = String(histogram.first_ms + histogram.counts.length * histogram.bin_ms);
    },
  };
}

export function createPlots() {
  const byId = (id) => document.querySelector(`[data-testid="${id}"]`);
  // Capture is drawn wide and pale under a dashed record line: when they agree, both still show.
  const fps = timeSeries(byId('plot-fps'), 'fps', [
    { label: 'capture', stroke: 'rgba(47,133,90,0.55)', width: 5, value: (s) => s.capture_fps },
    { label: 'record', stroke: '#c05621', width: 1.5, dash: [6, 4], value: (s) => s.record_fps },
  ]);
  const queue = timeSeries(byId('plot-queue'), 'Writer queue (frames)', [
    { label: 'queue', stroke: '#6b46c1', value: (s) => s.queue_depth },
  ]);
  const jitter = timeSeries(byId('plot-jitter'), 'Frame interval jitter (ms, std. dev. per second)', [
    { label: 'jitter', stroke: '#c53030', value: (s) => s.jitter_ms },
  ]);
  const histogram = histogramPlot(byId('plot-histogram'));
  return {
    reset(history) {
      fps.reset(history);
      queue.reset(history);
      jitter.reset(history);
      histogram.show(history.histogram);
    },
    push(sample) {
      fps.push(sample);
      queue.push(sample);
      jitter.push(sample);
      histogram.show(sample.histogram);
    },
  };
}
