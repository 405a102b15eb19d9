// Trial state, and trial control when the module allows it (view.allow_trial_control).
import { postJson } from './api.js';
import { duration } from './format.js';

const byId = (id) => document.querySelector(`[data-testid="${id}"]`);

export function createTrialPanel(allowControl) {
  const form = byId('trial-form');
  form.hidden = !allowControl;
  if (allowControl) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const label = byId('trial-label').value;
      const payload = { trial_number: Number(byId('trial-number').value), ...(label ? { trial_label: label } : {}) };
      const result = await postJson('api/trial/start', payload);
      byId('trial-error').textContent = result.ok ? '' : result.error;
    });
    byId('trial-stop').addEventListener('click', async () => {
      const result = await postJson('api/trial/stop');
      byId('trial-error').textContent = result.ok ? '' : result.error;
    });
  }
  return {
    show(sample) {
      const text = sample.trial_number === null
        ? `not recording (${sample.state})`
        : `trial ${sample.trial_number}${sample.trial_label ? ` “${sample.trial_label}”` : ''} recording for ${duration(sample.elapsed_seconds)}`;
      byId('trial-state').textContent = text;
      byId('trial-state').dataset.trial = sample.trial_number === null ? '' : String(sample.trial_number);
    },
  };
}
