import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

describe.each(databases)('number limits (minimum, maximum, decimals) on %s', (kind) => {
  let k: TestKizuna;

  beforeAll(async () => {
    k = await startKizuna(kind);
    const field = { name: 'discount', type: 'number', label: { en: 'Discount', ja: '割引率' }, minimum: 0, maximum: 50, decimals: 1 };
    expect((await k.call('POST', '/api/meta/objects/company/fields', field)).status).toBe(201);
  });
  afterAll(() => k?.close());

  it('keeps a value within the limits and with its decimals', async () => {
    const r = await k.call('POST', '/api/records/company', { name: 'Acme', discount: 12.5 });
    expect(r.status).toBe(201);
    expect(r.body.discount).toBe(12.5);
    expect((await k.call('POST', '/api/records/company', { name: 'Zero', discount: 0 })).status).toBe(201);
  });

  it('refuses a value below the minimum, above the maximum or with too many decimals with 422 naming the field', async () => {
    for (const [discount, says] of [
      [-1, /≥ 0/],
      [50.5, /≤ 50/],
      [1.25, /at most 1 digits after the decimal point/],
      [1e-7, /at most 1 digits/],
    ] as const) {
      const r = await k.call('POST', '/api/records/company', { name: 'Bad', discount });
      expect(r.status, String(discount)).toBe(422);
      expect(r.body.errors).toEqual([expect.objectContaining({ field: 'discount', message: expect.stringMatching(says) })]);
    }
  });

  it('changes the limits later, and takes them off with null', async () => {
    const patched = await k.call('PATCH', '/api/meta/objects/company/fields/discount', { maximum: 80, decimals: 0 });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await k.call('POST', '/api/records/company', { name: 'More', discount: 75 })).status).toBe(201);
    const r = await k.call('POST', '/api/records/company', { name: 'Frac', discount: 7.5 });
    expect(r.body.errors?.[0]).toMatchObject({ field: 'discount', message: 'must be a whole number' });
    expect((await k.call('PATCH', '/api/meta/objects/company/fields/discount', { decimals: null, maximum: null })).status).toBe(200);
    expect((await k.call('POST', '/api/records/company', { name: 'Big', discount: 1234.567 })).status).toBe(201);
  });

  it('refuses limits that do not fit the field with 422 naming the setting', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'a', type: 'number', minimum: 10, maximum: 1 }, 'minimum'],
      [{ name: 'b', type: 'number', decimals: 9 }, 'decimals'],
      [{ name: 'c', type: 'text', minimum: 1 }, 'minimum'],
      [{ name: 'd', type: 'integer', decimals: 2 }, 'decimals'],
      [{ name: 'e', type: 'currency', currency: 'JPY', decimals: 2 }, 'decimals'],
    ];
    for (const [spec, key] of cases) {
      const r = await k.call('POST', '/api/meta/objects/company/fields', { ...spec, label: { en: 'X', ja: 'X' } });
      expect(r.status, JSON.stringify(spec)).toBe(422);
      expect(r.body.errors.map((e: { field: string }) => e.field).join(' '), JSON.stringify(r.body.errors)).toContain(key);
    }
  });
});
