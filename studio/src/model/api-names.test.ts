import { describe, expect, it } from 'vitest';
import { isApiName, pluralName, snakeCase, suggestApiName } from './api-names.ts';

describe('API names from labels', () => {
  it('makes snake_case of English labels, accents and camel case included', () => {
    expect(snakeCase('Sales Order')).toBe('sales_order');
    expect(snakeCase('  Café Réservation!! ')).toBe('cafe_reservation');
    expect(snakeCase('SalesOrder 2026')).toBe('sales_order_2026');
    expect(snakeCase('3D Model')).toBe('n_3d_model');
    expect(snakeCase('商談メモ')).toBe('');
    expect(isApiName(snakeCase('x'.repeat(100)))).toBe(true);
  });

  it('suggests a placeholder for a Japanese-only label and numbers past taken names', () => {
    const taken = new Set(['project', 'project_2', 'custom_object']);
    expect(suggestApiName('Project', (n) => taken.has(n))).toBe('project_3');
    expect(suggestApiName('商談メモ', (n) => taken.has(n))).toBe('custom_object_2');
    expect(suggestApiName('Invoice', (n) => taken.has(n))).toBe('invoice');
  });

  it('pluralises as English does for API names', () => {
    expect(['company', 'case', 'box', 'day', 'match', 'project'].map(pluralName)).toEqual([
      'companies',
      'cases',
      'boxes',
      'days',
      'matches',
      'projects',
    ]);
  });
});
