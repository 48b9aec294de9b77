// Cell text → API values: numbers as spreadsheets in Japan, the US and Europe write them.
import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model/index.ts';
import { parseCell } from './values.ts';

const field = (type: string) => ({ spec: { type } }) as unknown as FieldModel;
const num = (t: string) => parseCell(t, field('number'), { utcOffset: '+09:00' });

describe('number cells', () => {
  it('reads thousands separators, full-width digits, currency signs and bracketed negatives', () => {
    expect(['1,234', '1,234.5', '１，２３４', '¥1,234', '(12.5)', '−3', '1 000', '12,345,678'].map(num)).toEqual([1234, 1234.5, 1234, 1234, -12.5, -3, 1000, 12345678]);
  });

  it('reads a comma that can only be a decimal comma as one, and guesses at nothing else', () => {
    expect(['1.234,56', '0,5', '12,5', '3,14', '-2,75', '1.234.567,8', '1,2345'].map(num)).toEqual([1234.56, 0.5, 12.5, 3.14, -2.75, 1234567.8, 1.2345]);
    // Not numbers: left as text, so the row fails with "must be a number".
    expect(['1,23,4', '1.234,5,6', '12,34.5', ',5', '1,'].map(num)).toEqual(['1,23,4', '1.234,5,6', '12,34.5', ',5', '1,']);
  });
});
