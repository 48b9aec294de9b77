import { describe, expect, it } from 'vitest';
import type { FieldSpec, FieldTypeInfo, ObjectDef } from '../api/types.ts';
import { setFieldTypes } from './field-kinds.ts';
import { operatorsOf } from './field-kinds.ts';
import { fromFilter, toFilter } from './filter-values.ts';
import { decodeConditions, encodeConditions, listQuery, readListAddress } from './list-url.ts';

setFieldTypes([
  { type: 'text', operators: ['eq', 'icontains', 'in', 'is_null'], sortable: true },
  { type: 'number', operators: ['eq', 'gte', 'lte', 'in', 'is_null'], sortable: true },
  { type: 'currency', operators: ['eq', 'gt', 'gte', 'lt', 'lte', 'is_null'], sortable: true },
  { type: 'boolean', operators: ['eq', 'is_null'], sortable: true },
  { type: 'multi_select', operators: ['has_any', 'is_null'], sortable: false },
  { type: 'relation', operators: ['eq', 'is_null'], sortable: true },
] as FieldTypeInfo[]);

const fields = [
  { name: 'name', type: 'text', label: { en: 'Name' } },
  { name: 'amount', type: 'number', label: { en: 'Amount' } },
  { name: 'revenue', type: 'currency', label: { en: 'Revenue' }, currency: 'JPY' },
  { name: 'vip', type: 'boolean', label: { en: 'VIP' } },
  { name: 'tags', type: 'multi_select', label: { en: 'Tags' }, options: [] },
  { name: 'company', type: 'relation', label: { en: 'Company' }, target: 'company' },
] as FieldSpec[];
const company = { properties: { city: { 'x-kizuna': { type: 'text', label: { en: 'City' } } } } } as unknown as ObjectDef;
const objects = new Map([['company', company]]);
const at = (p: string) => fields.find((f) => f.name === p);

describe('list addresses', () => {
  it('round-trips conditions with separators in values, typed by field', () => {
    const conditions = [
      { field: 'name', op: 'icontains', value: 'a;b|c%d:e' },
      { field: 'amount', op: 'gte', value: 100.5 },
      { field: 'vip', op: 'eq', value: false },
      { field: 'tags', op: 'has_any', value: ['x|y', 'z'] },
      { field: 'name', op: 'not_null', value: null },
      { field: 'name', op: 'eq', value: '$me' },
    ];
    const text = encodeConditions(conditions);
    expect(text).toBe('name:icontains:a%3Bb%7Cc%25d:e;amount:gte:100.5;vip:eq:false;tags:has_any:x%7Cy|z;name:not_null;name:eq:$me');
    expect(decodeConditions(text, at)).toEqual({ conditions, dropped: [] });
  });

  it('offers "between" where the server takes gte and lte, as one row with two bounds (one may be open)', () => {
    expect(operatorsOf(at('revenue')!)).toEqual(['eq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_null', 'not_null']);
    expect(operatorsOf(at('name')!)).not.toContain('between');
    const conditions = [
      { field: 'revenue', op: 'between', value: [12000, 50000.5] },
      { field: 'amount', op: 'between', value: [null, 10] },
    ];
    const text = encodeConditions(conditions);
    expect(text).toBe('revenue:between:12000|50000.5;amount:between:|10');
    expect(decodeConditions(text, at)).toEqual({ conditions, dropped: [] });
    expect(decodeConditions('amount:between:|;revenue:between:x|1', at).dropped).toEqual(['amount', 'revenue']);
    const filter = toFilter(conditions);
    expect(filter).toEqual({ and: [{ revenue: { gte: 12000, lte: 50000.5 } }, { amount: { lte: 10 } }] });
    expect(fromFilter(filter)).toEqual([conditions[0], { field: 'amount', op: 'lte', value: 10 }]);
  });

  it('leaves out and names unknown fields, operators and values that do not fit the type', () => {
    expect(decodeConditions('nosuch:eq:1;name:bogus:x;amount:gte:abc;vip:eq:maybe;name:eq:ok', at)).toEqual({
      conditions: [{ field: 'name', op: 'eq', value: 'ok' }],
      dropped: ['nosuch', 'name', 'amount', 'vip'],
    });
  });

  it('reads sort, columns and filter through one relation step, dropping what the object lacks', () => {
    const { address, dropped } = readListAddress(
      { sort: '-amount,tags,ghost', columns: 'name,ghost2', filter: 'company.city:eq:東京;company.nope:eq:x', q: '田中', view: 'mine' },
      fields,
      objects,
    );
    expect(address).toEqual({
      view: 'mine',
      q: '田中',
      sort: ['-amount'],
      columns: ['name'],
      conditions: [{ field: 'company.city', op: 'eq', value: '東京' }],
    });
    expect(dropped).toEqual(['tags', 'ghost', 'ghost2', 'company.nope']);
  });

  it('writes only what differs from the view, and an empty value where the view had one', () => {
    const base = { sort: ['name'], columns: ['name'], conditions: [{ field: 'vip', op: 'eq', value: true }] };
    expect(listQuery({ view: 'v', q: '', ...base }, base)).toEqual({ view: 'v' });
    expect(listQuery({ view: 'v', q: ' x ', sort: [], columns: ['name', 'amount'], conditions: [] }, base)).toEqual({
      view: 'v',
      q: ' x ',
      sort: '',
      columns: 'name,amount',
      filter: '',
    });
  });
});
