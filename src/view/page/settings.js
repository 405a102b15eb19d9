// The settings form, generated from what the camera's probe reported: its real modes, the
// record options, and one field per control with its range, step, menu items and whether an
// automatic mode disables it now. Every change is a module command (apply_config,
// control_change, reprobe); the module's error status is shown next to the field.
import { getJson, postJson } from './api.js';

const byId = (id) => document.querySelector(`[data-testid="${id}"]`);

function modeLabel(mode) {
  return `${mode.width}×${mode.height} @ ${mode.fps} fps ${mode.pixel_format}`;
}

function sameMode(a, b) {
  return a.width === b.width && a.height === b.height && a.fps === b.fps && a.pixel_format === b.pixel_format;
}

function fillModes(capabilities, settings) {
  const select = byId('input-mode');
  select.replaceChildren();
  const modes = capabilities?.modes ?? [];
  modes.forEach((mode, index) => {
    const option = new Option(modeLabel(mode), String(index));
    if (capabilities && sameMode(mode, capabilities.capture_mode)) option.selected = true;
    select.append(option);
  });
  select.disabled = modes.length === 0;
  byId('input-codec').value = settings.record.codec;
  byId('input-jpeg_quality').value = String(settings.record.jpeg_quality);
  byId('input-h264_crf').value = String(settings.record.h264_crf);
  byId('input-force_reencode').checked = settings.record.force_reencode;
  byId('mode-note').textContent = capabilities
    ? `${capabilities.passthrough ? 'stored as captured' : 're-encoded'}: ${capabilities.mode_reason}`
    : '';
}

function controlInput(control) {
  switch (control.type) {
    case 'bool': {
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.checked = control.value === true || control.value === 1;
      return { input, read: () => input.checked };
    }
    case 'menu':
    case 'intmenu': {
      const input = document.createElement('select');
      for (const item of control.menu ?? []) {
        const option = new Option(`${item.value}: ${item.label}`, String(item.value));
        option.selected = item.value === control.value;
        input.append(option);
      }
      return { input, read: () => Number(input.value) };
    }
    case 'button': {
      const input = document.createElement('button');
      input.type = 'button';
      input.textContent = control.name;
      return { input, read: () => 1, event: 'click' };
    }
    default: {
      const input = document.createElement('input');
      input.type = 'number';
      for (const key of ['min', 'max', 'step']) if (control[key] !== undefined) input[key] = String(control[key]);
      if (control.value !== undefined) input.value = String(control.value);
      // The text is sent as typed: the module decides what is allowed and says why not.
      return { input, read: () => (input.value.trim() === '' ? input.value : Number(input.value)) };
    }
  }
}

/**
 * feedback: the outcome of the last change of each control (name → { result, error }), kept
 * while the fields are rebuilt with the camera's new values.
 */
function controlField(control, feedback, onChanged) {
  const field = document.createElement('div');
  field.className = 'field';
  field.dataset.testid = `field-${control.name}`;
  const label = document.createElement('label');
  label.textContent = `${control.name} `;
  const { input, read, event } = controlInput(control);
  input.name = control.name;
  input.dataset.testid = `input-${control.name}`;
  label.append(input);
  field.append(label);
  let slider = null;
  if (input.type === 'number' && control.min !== undefined && control.max !== undefined) {
    slider = document.createElement('input');
    slider.type = 'range';
    slider.min = String(control.min);
    slider.max = String(control.max);
    slider.step = String(control.step ?? 1);
    slider.value = String(control.value ?? control.min);
    slider.dataset.testid = `slider-${control.name}`;
    slider.addEventListener('input', () => { input.value = slider.value; });
    slider.addEventListener('change', () => input.dispatchEvent(new Event('change')));
    field.append(slider);
  }
  const range = document.createElement('span');
  range.className = 'note';
  if (control.min !== undefined) range.textContent = `${control.min}…${control.max}${control.step > 1 ? ` step ${control.step}` : ''}`;
  if (control.default !== undefined) range.textContent += ` (default ${control.default})`;
  field.append(range);
  const error = document.createElement('span');
  error.className = 'error';
  error.dataset.testid = `error-${control.name}`;
  field.append(error);
  const note = document.createElement('span');
  note.className = 'note';
  note.dataset.testid = `note-${control.name}`;
  field.append(note);
  const flags = control.flags ?? [];
  const locked = flags.includes('read-only') || flags.includes('disabled');
  const inactive = control.inactive_note !== null;
  input.disabled = locked || inactive;
  if (slider) slider.disabled = input.disabled;
  field.classList.toggle('inactive', inactive);
  field.dataset.inactive = String(inactive);
  note.textContent = control.inactive_note ?? (locked ? flags.join(', ') : '');
  // Enter applies the value (as leaving the field does) instead of submitting the record settings.
  input.addEventListener('keydown', (keyEvent) => {
    if (keyEvent.key !== 'Enter') return;
    keyEvent.preventDefault();
    input.blur();
  });
  const last = feedback.get(control.name);
  if (last) {
    error.textContent = last.error;
    field.dataset.result = last.result;
  }
  input.addEventListener(event ?? 'change', async () => {
    error.textContent = '';
    const result = await postJson('api/control', { control: control.name, value: read() });
    feedback.set(control.name, { result: result.ok ? 'ok' : 'error', error: result.ok ? '' : result.error });
    await onChanged();
  });
  return field;
}

function fillControls(capabilities, feedback, refresh) {
  const fieldset = byId('control-fields');
  fieldset.querySelectorAll('.field').forEach((field) => field.remove());
  const controls = capabilities?.controls ?? [];
  byId('no-controls').hidden = controls.length > 0;
  for (const control of controls) fieldset.append(controlField(control, feedback, refresh));
}

const RECORD_FIELDS = ['codec', 'jpeg_quality', 'h264_crf', 'force_reencode'];

/** The field a refusal names ("record.jpeg_quality"), when it is one of the record form's own. */
function refusedField(result) {
  const field = result.body?.field ?? result.body?.error?.field ?? '';
  const name = field.startsWith('record.') ? field.slice('record.'.length) : field;
  return RECORD_FIELDS.includes(name) ? name : null;
}

/**
 * Shows a refusal next to the field it names and keeps the refused value in that field (the
 * form around it shows the settings in force), so the user sees what was refused and why.
 */
function showRecordOutcome(result) {
  for (const name of RECORD_FIELDS) {
    byId(`error-${name}`).textContent = '';
    byId(`input-${name}`).removeAttribute('aria-invalid');
  }
  byId('error-record').textContent = '';
  if (result.ok) return;
  const name = refusedField(result);
  if (!name) {
    byId('error-record').textContent = result.error;
    return;
  }
  const input = byId(`input-${name}`);
  const sent = result.sent?.record?.[name];
  if (sent !== undefined) {
    if (input.type === 'checkbox') input.checked = Boolean(sent);
    else input.value = String(sent);
  }
  input.setAttribute('aria-invalid', 'true');
  byId(`error-${name}`).textContent = result.error;
}

export function createSettings() {
  let state = null;
  const feedback = new Map();
  async function refresh() {
    state = await getJson('api/state');
    fillModes(state.capabilities, state.settings);
    fillControls(state.capabilities, feedback, refresh);
    byId('camera-name').textContent = state.capabilities ? `${state.capabilities.name} (${state.capabilities.camera_id})` : 'no camera';
    byId('settings-form').dataset.loaded = 'true';
    return state;
  }

  byId('settings-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const record = {
      codec: byId('input-codec').value,
      jpeg_quality: Number(byId('input-jpeg_quality').value),
      h264_crf: Number(byId('input-h264_crf').value),
      force_reencode: byId('input-force_reencode').checked,
    };
    // Only a mode other than the one capturing now is sent: a mode change reopens the capture.
    const mode = state?.capabilities?.modes[Number(byId('input-mode').value)];
    if (mode && !sameMode(mode, state.capabilities.capture_mode)) Object.assign(record, { width: mode.width, height: mode.height, fps: mode.fps });
    const result = await postJson('api/config', { record });
    await refresh();
    showRecordOutcome({ ...result, sent: { record } });
  });

  byId('reprobe-button').addEventListener('click', async () => {
    const result = await postJson('api/reprobe');
    const found = result.body?.statuses?.find((s) => s.status === 'device_capabilities');
    byId('reprobe-result').textContent = result.ok
      ? `${found?.data.modes.length ?? 0} modes, ${found?.data.controls.length ?? 0} controls${found?.data.note ? `: ${found.data.note}` : ''}`
      : result.error;
    await refresh();
  });

  return { refresh };
}
