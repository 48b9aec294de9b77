// Excel cells as the text a person sees in them (the xlsx reader's cellText).
import { describe, expect, it } from 'vitest';
import { cellText } from './rows.ts';

describe('xlsx cell text', () => {
  it('writes date-times as the wall clock, without a zone, so the import applies utc_offset', () => {
    // exceljs reads 2026-01-05 09:30 (no zone in the file) as a Date whose UTC fields say so.
    expect(cellText(new Date(Date.UTC(2026, 0, 5, 9, 30)))).toBe('2026-01-05 09:30:00');
    expect(cellText(new Date(Date.UTC(2026, 0, 5)))).toBe('2026-01-05');
    // Excel's float lands a hair before the second.
    expect(cellText(new Date(Date.UTC(2026, 0, 5, 9, 29, 59, 999)))).toBe('2026-01-05 09:30:00');
  });

  it('reads a number shown with a date format as that date (a formula result such as NOW())', () => {
    expect(cellText(46027.395833333336, 'yyyy/mm/dd hh:mm')).toBe('2026-01-05 09:30:00');
    expect(cellText({ formula: 'TODAY()', result: 46027 }, 'mm-dd-yy')).toBe('2026-01-05');
    expect(cellText(46027, '#,##0')).toBe('46027');
    expect(cellText(12.5, '"Qty" 0.0')).toBe('12.5');
  });

  it("takes a formula's saved result, and nothing for one saved without a result or an error", () => {
    expect(cellText({ formula: 'CONCATENATE("A","B")', result: 'AB' })).toBe('AB');
    expect(cellText({ formula: '1+2', result: 3 })).toBe('3');
    expect(cellText({ formula: 'UPPER("abc")' })).toBe('');
    expect(cellText({ sharedFormula: 'B2', result: 'x' })).toBe('x');
    expect(cellText({ error: '#DIV/0!' })).toBe('');
    expect(cellText({ richText: [{ text: 'rich ' }, { text: 'text' }] })).toBe('rich text');
    expect(cellText({ text: 'link', hyperlink: 'https://example.jp' })).toBe('link');
    expect(cellText(true)).toBe('true');
  });
});
