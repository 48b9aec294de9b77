// Cell text → API values: numbers as spreadsheets in Japan, the US and Europe write them.
import { describe, expect, it } from 'vitest';
import type { FieldModel } from '../model/index.ts';
import { parseCell } from './values.ts';

const field = (type: string) => ({ spec: { type } }) as unknown as FieldModel;
const num = (t: string) => parseCell(t, field('number'), { utcOffset: '+09:00' });

describe('number cells', () => {
  it('reads thousands separators, full-width digits, currency signs and bracketed negatives', () => {
    expect(['1,234', '1,234.5', '１，２３４', '¥1,234', '(12.5)', '−3', '1 000', '12,345,678'].map(num)).toEqual([
      1234, 1234.5, 1234, 1234, -12.5, -3, 1000, 12345678,
    ]);
    // ▲/△: negatives in Japanese accounts.
    expect(['▲123', '△1,234', '▲¥1,234', '-¥1,234'].map(num)).toEqual([-123, -1234, -1234, -1234]);
  });

  it('reads a comma that can only be a decimal comma as one, and guesses at nothing else', () => {
    expect(['1.234,56', '0,5', '12,5', '3,14', '-2,75', '1.234.567,8', '1,2345'].map(num)).toEqual([
      1234.56, 0.5, 12.5, 3.14, -2.75, 1234567.8, 1.2345,
    ]);
    // Not numbers: left as text, so the row fails with "must be a number".
    expect(['1,23,4', '1.234,5,6', '12,34.5', ',5', '1,'].map(num)).toEqual(['1,23,4', '1.234,5,6', '12,34.5', ',5', '1,']);
  });
});

describe('date and date-time cells', () => {
  const opts = { utcOffset: '+09:00' };
  const date = (t: string) => parseCell(t, field('date'), opts);
  const at = (t: string) => parseCell(t, field('datetime'), opts);

  it('reads a date alone, or with a midnight time as exports write it, and fails anything after it', () => {
    expect(['2026/1/5', '2026年1月5日', '令和8年1月5日', 'R8.1.5', '2026-01-05 00:00:00', '2024/2/29'].map(date)).toEqual([
      '2026-01-05',
      '2026-01-05',
      '2026-01-05',
      '2026-01-05',
      '2026-01-05',
      '2024-02-29',
    ]);
    expect(['2026/1/5 25:99', '2026/1/5 9:30', '2025/2/29', '2026/13/1'].map(date)).toEqual([
      '2026/1/5 25:99',
      '2026/1/5 9:30',
      '2025/2/29',
      '2026/13/1',
    ]);
  });

  it('checks era dates against the era: no year 0, nothing after an era ended or before it began', () => {
    expect(['令和元年5月1日', '平成31年4月30日', '平成元年1月8日', '昭和64年1月7日'].map(date)).toEqual([
      '2019-05-01',
      '2019-04-30',
      '1989-01-08',
      '1989-01-07',
    ]);
    expect(['令和0年1月1日', '平成31年5月1日', '平成32年1月1日', '昭和64年1月8日', '令和元年4月30日'].map(date)).toEqual([
      '令和0年1月1日',
      '平成31年5月1日',
      '平成32年1月1日',
      '昭和64年1月8日',
      '令和元年4月30日',
    ]);
  });

  it('keeps the time of day as Japanese and English spreadsheets write it, or fails the cell', () => {
    expect(
      [
        '2026/1/5 9:30',
        '2026年1月5日 9時30分',
        '2026年1月5日9時30分',
        '2026年1月5日 15時',
        '2026/1/5 午後3:30',
        '2026/1/5 3:30 PM',
        '2026/1/5 12:00 PM',
        '2026/1/5 12:05 AM',
        '2026/1/5 9:30:15',
      ].map(at),
    ).toEqual([
      '2026-01-05T09:30:00+09:00',
      '2026-01-05T09:30:00+09:00',
      '2026-01-05T09:30:00+09:00',
      '2026-01-05T15:00:00+09:00',
      '2026-01-05T15:30:00+09:00',
      '2026-01-05T15:30:00+09:00',
      '2026-01-05T12:00:00+09:00',
      '2026-01-05T00:05:00+09:00',
      '2026-01-05T09:30:15+09:00',
    ]);
    expect(at('2026/1/5 9:30 UTC')).toBe('2026-01-05T09:30:00Z');
    expect(at('2026/1/5 9:30 JST')).toBe('2026-01-05T09:30:00+09:00');
    expect(at('2026/1/5')).toBe('2026-01-05T00:00:00+09:00');
    expect(at('2026-01-05T09:30:00-05:00')).toBe('2026-01-05T09:30:00-05:00');
    // Not a time: the cell goes on as text and fails its row.
    expect(['2026/1/5 25:00', '2026/1/5 9:61', '2026/1/5 13:00 PM', '2026/1/5 soon'].map(at)).toEqual([
      '2026/1/5 25:00',
      '2026/1/5 9:61',
      '2026/1/5 13:00 PM',
      '2026/1/5 soon',
    ]);
  });
});

describe('currency cells', () => {
  const money = (t: string) =>
    parseCell(t, { spec: { type: 'currency', currency: 'JPY' } } as unknown as FieldModel, { utcOffset: '+09:00' });
  it("takes the currency from its sign or code, else the field's", () => {
    // The digits as written (no float in between): 12.50 stays 12.50.
    expect(['¥1,234', '1,234円', '$12.50', '€12.50', '£3', '12.50 USD', '500'].map(money)).toEqual([
      { amount: '1234', currency: 'JPY' },
      { amount: '1234', currency: 'JPY' },
      { amount: '12.50', currency: 'USD' },
      { amount: '12.50', currency: 'EUR' },
      { amount: '3', currency: 'GBP' },
      { amount: '12.50', currency: 'USD' },
      { amount: '500', currency: 'JPY' },
    ]);
  });
});
