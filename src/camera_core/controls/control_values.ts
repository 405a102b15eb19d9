import { ModuleError } from '../../errors/codes.js';
import type { ControlInfo } from '../types.js';
import { findControl } from './control_names.js';

export type ControlValue = number | boolean | string;

export interface ValidatedControl {
  /** The control as the camera reports it (its own spelling of the name). */
  readonly control: ControlInfo;
  /** What v4l2-ctl --set-ctrl gets: booleans as 0/1, menus by item value. */
  readonly v4l2Value: number;
  /** The value as reported back in control_changed: booleans stay booleans. */
  readonly value: number | boolean;
}

/**
 * Checks a control name and value against what the camera reported (range, step, menu
 * items, flags). Anything not settable throws INVALID_CONTROL (-1014) whose message says
 * what is allowed.
 */
export function validateControl(controls: readonly ControlInfo[], name: string, value: ControlValue): ValidatedControl {
  const control = findControl(controls, name);
  if (!control) {
    const known = controls.map((c) => c.name);
    const listing = known.length > 0 ? `this camera has: ${known.join(', ')}` : 'this camera reports no controls';
    throw invalid(`Unknown control '${name}'; ${listing}`, name, 'control', { known });
  }
  const flags = control.flags ?? [];
  if (flags.includes('read-only') || flags.includes('disabled')) {
    throw invalid(`Control '${control.name}' is ${flags.includes('read-only') ? 'read-only' : 'disabled'}`, control.name, 'control');
  }
  switch (control.type) {
    case 'bool':
      return { control, ...booleanValue(control, value) };
    case 'menu':
    case 'intmenu':
      return { control, ...menuValue(control, value) };
    case 'button':
      return { control, v4l2Value: 1, value: 1 };
    case 'int':
    case 'other':
      return { control, ...integerValue(control, value) };
  }
}

/** "an integer from 3 to 2047 in steps of 1", "one of 1 (Manual Mode), 3 (Aperture Priority Mode)", ... */
export function describeAllowed(control: ControlInfo): string {
  switch (control.type) {
    case 'bool':
      return 'true or false (1 or 0)';
    case 'menu':
    case 'intmenu':
      return `one of ${(control.menu ?? []).map((m) => `${m.value} (${m.label})`).join(', ')}`;
    case 'button':
      return 'any value (it triggers an action)';
    default: {
      const step = control.step ?? 1;
      return `an integer from ${control.min ?? '?'} to ${control.max ?? '?'}${step > 1 ? ` in steps of ${step}` : ''}`;
    }
  }
}

function booleanValue(control: ControlInfo, value: ControlValue): { v4l2Value: number; value: boolean } {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : null;
  if (value === true || value === 1 || text === 'true' || text === '1') return { v4l2Value: 1, value: true };
  if (value === false || value === 0 || text === 'false' || text === '0') return { v4l2Value: 0, value: false };
  throw outOfRange(control, value);
}

function menuValue(control: ControlInfo, value: ControlValue): { v4l2Value: number; value: number } {
  const items = control.menu ?? [];
  const byValue = typeof value === 'number' ? items.find((m) => m.value === value) : undefined;
  const byLabel = typeof value === 'string'
    ? items.find((m) => m.label.toLowerCase() === value.trim().toLowerCase() || String(m.value) === value.trim())
    : undefined;
  const item = byValue ?? byLabel;
  if (!item) throw outOfRange(control, value);
  return { v4l2Value: item.value, value: item.value };
}

function integerValue(control: ControlInfo, value: ControlValue): { v4l2Value: number; value: number } {
  if (control.min === undefined || control.max === undefined) {
    throw invalid(`Control '${control.name}' cannot be set through control_change (type ${control.type})`, control.name, 'control');
  }
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const step = control.step && control.step > 0 ? control.step : 1;
  const fits = Number.isInteger(number) && number >= control.min && number <= control.max && (number - control.min) % step === 0;
  if (!fits) throw outOfRange(control, value);
  return { v4l2Value: number, value: number };
}

function outOfRange(control: ControlInfo, value: ControlValue): ModuleError {
  return invalid(`${control.name} must be ${describeAllowed(control)}; got ${JSON.stringify(value)}`, control.name, 'value', {
    allowed: describeAllowed(control),
    ...(control.min === undefined ? {} : { min: control.min, max: control.max, step: control.step ?? 1 }),
    ...(control.menu ? { menu: control.menu } : {}),
  });
}

function invalid(message: string, control: string, field: string, extra: Record<string, unknown> = {}): ModuleError {
  return new ModuleError('INVALID_CONTROL', message, { field, data: { control, ...extra } });
}
