import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));

describe.each(databases)('list totals (?sum=) on %s', (kind) => {
  let k: TestKizuna;
  let viewer: (m: string, p: string) => ReturnType<TestKizuna['call']>;

  beforeAll(async () => {
    k = await startKizuna(kind);
    const records = [];
    // 120 companies: more than a page, so a total over the page alone would be wrong.
    for (let i = 0; i < 120; i++) {
      records.push({
        name: `会社 ${i}`,
        size: i % 2 ? '1_10' : '1001_plus',
        employees: i,
        // Yen has no minor unit (its digits rule refuses 1.25 JPY); dollars have two.
        annual_revenue: i % 3 ? { amount: `${i}`, currency: 'JPY' } : { amount: `${i}.25`, currency: 'USD' },
      });
    }
    const made = await k.call('POST', '/api/records/company/bulk', { records });
    expect(made.status, JSON.stringify(made.body).slice(0, 500)).toBe(200);
    const u = await k.call('POST', '/api/users', { email: 'viewer@example.jp', name: 'Viewer', roles: ['viewer'] });
    const key = (await k.call('POST', '/api/api-keys', { name: 'viewer', user_id: u.body.id })).body.key;
    viewer = (m, p) => k.call(m, p, undefined, { authorization: `Bearer ${key}` });
  });
  afterAll(() => k?.close());

  it('totals a number field over every matching record, not only the page', async () => {
    const r = await k.call('GET', `/api/records/company?limit=5&count=true&sum=employees&filter=${enc({ size: { eq: '1001_plus' } })}`);
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(5);
    expect(r.body.page.total).toBe(60);
    // 0 + 2 + … + 118
    expect(r.body.page.sums).toEqual({ employees: [{ amount: String(59 * 60), currency: null }] });
  });

  it('totals a currency field per currency, exactly, and follows the search too', async () => {
    const r = await k.call('GET', `/api/records/company?limit=1&sum=annual_revenue,employees&filter=${enc({ employees: { lt: 6 } })}`);
    expect(r.body.page.sums).toEqual({
      annual_revenue: [
        { amount: '12', currency: 'JPY' }, // 1, 2, 4, 5
        { amount: '3.50', currency: 'USD' }, // 0.25, 3.25
      ],
      employees: [{ amount: '15', currency: null }],
    });
    const searched = await k.call('GET', `/api/records/company?limit=1&sum=employees&q=${encodeURIComponent('会社 119')}`);
    expect(searched.body.page.sums.employees[0].amount).toBe('119');
  });

  it('says 0 for an empty column rather than nothing', async () => {
    const r = await k.call('GET', `/api/records/company?sum=employees&filter=${enc({ employees: { gt: 1000 } })}`);
    expect(r.body.page.sums).toEqual({ employees: [{ amount: '0', currency: null }] });
  });

  it('refuses with 400 naming sum: an unknown field, a text field, a field hidden from the caller', async () => {
    for (const [path, who] of [
      ['/api/records/company?sum=nosuch', k.call.bind(k)],
      ['/api/records/company?sum=name', k.call.bind(k)],
      ['/api/records/company?sum=annual_revenue', viewer],
    ] as const) {
      const r = await who('GET', path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.body.errors[0].field).toMatch(/^sum\b/);
    }
    expect((await viewer('GET', '/api/records/company?sum=employees&limit=1')).body.page.sums.employees[0].amount).toBe(
      String((119 * 120) / 2),
    );
  });
});
