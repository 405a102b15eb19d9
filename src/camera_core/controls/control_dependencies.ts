import type { ControlInfo } from '../types.js';
import { canonicalControlName, findControl } from './control_names.js';

/** A manual control that only takes effect while an automatic mode (its switch) is off. */
interface Dependency {
  readonly control: string;
  readonly switchControl: string;
  readonly activeWhen: (switchValue: number | boolean | string | undefined) => boolean;
  /** The switch settings that make the control take effect, in words. */
  readonly needs: string;
}

const isOff = (v: number | boolean | string | undefined): boolean => v === false || v === 0;

/** V4L2 auto_exposure: 0 auto, 1 manual, 2 shutter priority (manual time), 3 aperture priority. */
const DEPENDENCIES: readonly Dependency[] = [
  { control: 'exposure_time_absolute', switchControl: 'auto_exposure', activeWhen: (v) => v === 1 || v === 2, needs: '1 (Manual Mode) or 2 (Shutter Priority Mode)' },
  { control: 'white_balance_temperature', switchControl: 'white_balance_automatic', activeWhen: isOff, needs: 'false' },
  { control: 'focus_absolute', switchControl: 'focus_automatic_continuous', activeWhen: isOff, needs: 'false' },
  { control: 'gain', switchControl: 'gain_automatic', activeWhen: isOff, needs: 'false' },
];

function dependencyOf(control: ControlInfo): Dependency | null {
  const name = canonicalControlName(control.name);
  return DEPENDENCIES.find((d) => d.control === name) ?? null;
}

/**
 * Says why a value just set does not take effect yet: its automatic switch is on (from the
 * switch's current value), or the camera marks the control inactive for a reason not in
 * the table. Null when the value is in effect.
 */
export function inactiveNote(controls: readonly ControlInfo[], control: ControlInfo): string | null {
  const dependency = dependencyOf(control);
  const switchControl = dependency ? findControl(controls, dependency.switchControl) : null;
  if (dependency && switchControl) {
    if (dependency.activeWhen(switchControl.value)) return null;
    const current = describeValue(switchControl);
    return `${control.name} takes effect only while ${switchControl.name} is ${dependency.needs}; it is ${current}, ` +
      `so the camera keeps the value and uses it once ${switchControl.name} is changed`;
  }
  if (control.flags?.includes('inactive')) {
    return `The camera reports ${control.name} as inactive (an automatic mode overrides it); the value applies once it becomes active`;
  }
  return null;
}

/** The control list after a successful set: the new value, and dependants' inactive flags following a switch. */
export function afterSet(controls: readonly ControlInfo[], changed: ControlInfo, value: number | boolean): ControlInfo[] {
  const updated = controls.map((c) => (c === changed ? { ...c, value } : c));
  const switchName = canonicalControlName(changed.name);
  return updated.map((c) => {
    const dependency = dependencyOf(c);
    if (!dependency || dependency.switchControl !== switchName) return c;
    const others = (c.flags ?? []).filter((f) => f !== 'inactive');
    const flags = dependency.activeWhen(value) ? others : [...others, 'inactive'];
    return { ...c, flags };
  });
}

/** Order in which configured controls are applied: automatic switches before the manual values they gate. */
export function applyOrder(names: readonly string[]): string[] {
  const switches = new Set(DEPENDENCIES.map((d) => d.switchControl));
  const isSwitch = (n: string): boolean => switches.has(canonicalControlName(n));
  return [...names.filter(isSwitch), ...names.filter((n) => !isSwitch(n))];
}

function describeValue(control: ControlInfo): string {
  const label = control.menu?.find((m) => m.value === control.value)?.label;
  const value = control.value === undefined ? 'unknown' : String(control.value);
  return label ? `${value} (${label})` : value;
}
