// Exported text that a spreadsheet would run as a formula (OWASP "CSV injection"): a cell that
// starts with = + - @ (or their full-width forms, which Japanese Excel and Apple Numbers
// read the same way), a tab or a carriage return gets a leading single quote, as OWASP
// recommends: the spreadsheet then shows the text instead of evaluating it.
// https://owasp.org/www-community/attacks/CSV_Injection

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
// A plain number such as -5 or +3.5 is no formula and no risk: kept, so it stays a number.
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}
