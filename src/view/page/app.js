// Wires the page together: settings from the module's state, the preview, the metrics stream.
import { startPreview } from './preview.js';
import { followMetrics, showSample } from './metrics.js';
import { createPlots } from './plots.js';
import { createSettings } from './settings.js';
import { createTrialPanel } from './trial.js';

async function main() {
  const settings = createSettings();
  const state = await settings.refresh();
  const trial = createTrialPanel(state.settings.allow_trial_control);
  startPreview(document.querySelector('[data-testid="preview"]'));
  const plots = createPlots();
  let lastCamera = null;
  followMetrics({
    onHistory: (history) => plots.reset(history),
    onSample: (sample) => {
      showSample(sample);
      if (!sample.interim) plots.push(sample);
      trial.show(sample);
      // A camera that came back (or was assigned) may have other modes and controls.
      if (lastCamera !== null && lastCamera !== sample.camera && sample.camera === 'live') void settings.refresh();
      lastCamera = sample.camera;
    },
  });
}

main().catch((error) => {
  document.body.dataset.failed = String(error);
  console.error(error);
});
