import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOperators, fieldTypes } from '../model/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const label = (en: string) => ({ en, ja: en });
const options = [
  { value: 'a', label: label('A') },
  { value: 'b', label: label('B') },
];
/** A field of every type an admin can create. */
const probe = {
  name: 'type_probe',
  label: label('Type probe'),
  plural: 'type_probes',
  fields: [
    { name: 'f_text', type: 'text' },
    { name: 'f_long_text', type: 'long_text' },
    { name: 'f_email', type: 'email' },
    { name: 'f_phone', type: 'phone' },
    { name: 'f_url', type: 'url' },
    { name: 'f_integer', type: 'integer' },
    { name: 'f_number', type: 'number' },
    { name: 'f_percent', type: 'percent' },
    { name: 'f_currency', type: 'currency' },
    { name: 'f_boolean', type: 'boolean' },
    { name: 'f_date', type: 'date' },
    { name: 'f_datetime', type: 'datetime' },
    { name: 'f_select', type: 'select', options },
    { name: 'f_multi_select', type: 'multi_select', options },
    { name: 'f_tags', type: 'tags' },
    { name: 'f_country', type: 'country' },
    { name: 'f_relation', type: 'relation', target: 'company' },
    { name: 'f_user', type: 'user' },
    { name: 'f_autonumber', type: 'autonumber' },
    { name: 'f_json', type: 'json' },
  ].map((f) => ({ ...f, label: label(f.name) })),
};

describe.each(databases)('GET /api/meta/field-types on %s', (kind) => {
  let k: TestKizuna;
  let catalog: { type: string; operators: string[]; sortable: boolean; list: boolean }[];
  beforeAll(async () => {
    k = await startKizuna(kind);
    expect((await k.call('POST', '/api/meta/objects', probe)).status).toBe(201);
    const res = await k.call('GET', '/api/meta/field-types');
    expect(res.status).toBe(200);
    catalog = res.body.data;
  });
  afterAll(async () => {
    await k?.close();
  });

  it('lists every field type of the table with its operators and whether it sorts', () => {
    expect(catalog.map((t) => t.type).sort()).toEqual(Object.keys(fieldTypes).sort());
    expect(catalog.find((t) => t.type === 'text')).toMatchObject({
      sortable: true,
      list: false,
      operators: expect.arrayContaining(['icontains']),
    });
    expect(catalog.find((t) => t.type === 'tags')).toMatchObject({
      sortable: false,
      list: true,
      operators: ['has_any', 'has_all', 'is_null'],
    });
  });

  it('is the table the records filter uses: an operator it does not list is refused for that type, one it lists is not', async () => {
    for (const f of probe.fields) {
      const offered = catalog.find((t) => t.type === f.type)!.operators;
      for (const op of allOperators) {
        const value = ['in', 'nin', 'has_any', 'has_all'].includes(op) ? ['a'] : op === 'is_null' ? true : 'a';
        const res = await k.call(
          'GET',
          `/api/records/type_probe?filter=${encodeURIComponent(JSON.stringify({ [f.name]: { [op]: value } }))}`,
        );
        const refusedOperator =
          res.status === 400 &&
          (res.body.errors ?? []).some((e: { message: string }) => e.message.startsWith(`operator "${op}" is not available`));
        expect(refusedOperator, `${f.type} ${op}: ${res.status} ${JSON.stringify(res.body)}`).toBe(!offered.includes(op));
      }
    }
  });

  it('answers any signed-in caller, and refuses parameters it does not take', async () => {
    expect((await k.app.request('/api/meta/field-types')).status).toBe(401);
    const res = await k.call('GET', '/api/meta/field-types?x=1');
    expect(res.status).toBe(400);
  });
});
