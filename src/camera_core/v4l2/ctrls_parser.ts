import type { ControlInfo } from '../types.js';

// "                     brightness 0x00980900 (int)    : min=0 max=255 step=1 default=128 value=128 flags=inactive"
// v4l-utils before 1.14 printed no id: "                     brightness (int)    : min=0 ...".
const CONTROL_LINE = /^\s*([A-Za-z0-9_]+)\s+(?:0x[0-9a-fA-F]+\s+)?\(([a-z0-9]+)\)\s*:(.*)$/;
// "				1: Manual Mode" (menu) or "				0: 12345 (0x3039)" (intmenu)
const MENU_LINE = /^\s+(-?\d+):\s+(.*?)\s*$/;
const NUMBER_FIELD = /\b(min|max|step|default|value)=(-?\d+)/g;
const FLAGS_FIELD = /\bflags=(.*)$/;

const TYPES: Readonly<Record<string, ControlInfo['type']>> = {
  int: 'int', bool: 'bool', menu: 'menu', intmenu: 'intmenu', button: 'button',
};

type Draft = ControlInfo & { menu?: Array<{ value: number; label: string }> };

/**
 * Reads `v4l2-ctl --list-ctrls-menus` (also --list-ctrls, without menu items) as printed by
 * v4l-utils 1.14 to 1.26, and by older ones that print no control id: int, bool, menu, intmenu and button controls with their range,
 * default, current value, flags (inactive, read-only, ...) and menu items. Other types
 * (int64, bitmask, string, compound) are kept as "other" with whatever range they print.
 * Names are the kernel's, old or new (exposure_absolute or exposure_time_absolute).
 */
export function parseListCtrls(text: string): ControlInfo[] {
  const controls: Draft[] = [];
  for (const line of text.split(/\r?\n/)) {
    const control = parseControlLine(line);
    if (control) {
      controls.push(control);
      continue;
    }
    const last = controls.at(-1);
    const item = MENU_LINE.exec(line);
    if (last && item && (last.type === 'menu' || last.type === 'intmenu')) {
      // intmenu items print the integer then its hex form: keep the integer as the label.
      const label = last.type === 'intmenu' ? (item[2] ?? '').replace(/\s*\(0x[0-9a-fA-F]+\)$/, '') : item[2] ?? '';
      (last.menu ??= []).push({ value: Number(item[1]), label });
    }
  }
  return controls;
}

function parseControlLine(line: string): Draft | null {
  const match = CONTROL_LINE.exec(line);
  if (!match) return null;
  const type = TYPES[match[2] ?? ''] ?? 'other';
  const rest = match[3] ?? '';
  const flagsText = FLAGS_FIELD.exec(rest)?.[1];
  const fields = rest.replace(FLAGS_FIELD, '');
  const control: Draft = { name: match[1] ?? '', type };
  for (const [, key, raw] of fields.matchAll(NUMBER_FIELD)) {
    const value = Number(raw);
    if (key === 'default' || key === 'value') control[key] = type === 'bool' ? value !== 0 : value;
    else if (key === 'min' || key === 'max' || key === 'step') control[key] = value;
  }
  if (flagsText) control.flags = flagsText.split(',').map((f) => f.trim()).filter((f) => f !== '');
  return control;
}
