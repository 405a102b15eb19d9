import type { ControlInfo } from '../types.js';

/**
 * Controls the kernel renamed (Linux 5.14ish, "v4l2-ctrls: fix names"): v4l2-ctl derives
 * names from the kernel's, so older systems print the first, newer ones the second. Either
 * spelling is accepted everywhere and matched to what the camera at hand reports.
 */
const RENAMED: ReadonlyArray<readonly [oldName: string, newName: string]> = [
  ['exposure_auto', 'auto_exposure'],
  ['exposure_absolute', 'exposure_time_absolute'],
  ['exposure_auto_priority', 'exposure_dynamic_framerate'],
  ['white_balance_temperature_auto', 'white_balance_automatic'],
  ['focus_auto', 'focus_automatic_continuous'],
];

/** The current kernel's spelling of a control name (unchanged when it was never renamed). */
export function canonicalControlName(name: string): string {
  const lower = name.toLowerCase();
  return RENAMED.find(([oldName]) => oldName === lower)?.[1] ?? lower;
}

/** The control the camera reports under this name or its other spelling, or null. */
export function findControl(controls: readonly ControlInfo[], name: string): ControlInfo | null {
  const wanted = canonicalControlName(name);
  return controls.find((c) => canonicalControlName(c.name) === wanted) ?? null;
}
