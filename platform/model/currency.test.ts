import { describe, expect, it } from 'vitest';
import { fractionDigitsOf, isCurrencyCode, moneyProblem, parseMoney } from './currency.ts';

describe('money as people type it', () => {
  it.each([
    ['12,000', { amount: '12000' }],
    ['¥12,000', { amount: '12000', currency: 'JPY' }],
    ['￥12,000', { amount: '12000', currency: 'JPY' }],
    ['12,000円', { amount: '12000', currency: 'JPY' }],
    ['１２，０００', { amount: '12000' }],
    ['USD 1,234.50', { amount: '1234.50', currency: 'USD' }],
    ['1,234.50 USD', { amount: '1234.50', currency: 'USD' }],
    ['$12.50', { amount: '12.50', currency: 'USD' }],
    ['€ 10', { amount: '10', currency: 'EUR' }],
    ['▲500', { amount: '-500' }],
    ['-¥300', { amount: '-300', currency: 'JPY' }],
    ['.5', { amount: '0.5' }],
    ['98765432109876543.21', { amount: '98765432109876543.21' }],
  ])('reads %s', (text, money) => {
    expect(parseMoney(text)).toEqual(money);
  });

  it.each(['abc', '1,2,3', '12,50', '¥12,000 USD', '$5円', ''])('refuses %s', (text) => {
    expect(parseMoney(text)).toBeUndefined();
  });

  it("knows ISO 4217's codes and minor units from the ICU data", () => {
    expect(isCurrencyCode('JPY')).toBe(true);
    expect(isCurrencyCode('XYZ')).toBe(false);
    expect([fractionDigitsOf('JPY'), fractionDigitsOf('USD'), fractionDigitsOf('KWD')]).toEqual([0, 2, 3]);
    expect(moneyProblem('12000', 'JPY')).toBeUndefined();
    expect(moneyProblem('12000.00', 'JPY')).toBeUndefined(); // zeros after the point say nothing more
    expect(moneyProblem('12000.5', 'JPY')).toEqual({ message: 'JPY amounts have no fraction digits', keyword: 'currency_digits' });
    expect(moneyProblem('1.005', 'USD')).toEqual({ message: 'USD amounts have at most 2 fraction digits', keyword: 'currency_digits' });
    expect(moneyProblem('1', 'ABC')).toMatchObject({ keyword: 'currency_code' });
  });
});
