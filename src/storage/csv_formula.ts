/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection): `=`, `+`,
 * `-`, `@`, and tab or carriage return in front of them.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Free text for a CSV cell that a spreadsheet shows as text, never runs: a leading `'` when it
 * starts like a formula. The CSV quoting itself is the writer's job.
 */
export function csvTextCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
