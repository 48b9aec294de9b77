// page.total without reading every row: exact up to COUNT_CAP matches, the planner's estimate
// (flagged) past it, exact on request.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { COUNT_CAP } from './list.ts';

const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));
const ROWS = COUNT_CAP + 120;

describe.each(databases)('list counts on %s', (kind) => {
  let k: TestKizuna;

  beforeAll(async () => {
    k = await startKizuna(kind);
    // Straight into the table: the count is what is tested, not 10,000 writes through the API.
    await k.db.query(sql`insert into contact (id, last_name, lifecycle)
      select gen_random_uuid(), '数え' || g, case when g % 4 = 0 then 'customer' else 'lead' end from generate_series(0, ${ROWS - 1}) g`);
    await k.db.query(sql`analyze contact`);
  });
  afterAll(() => k?.close());

  it('counts exactly while the matches stay under the cap', async () => {
    const r = await k.call('GET', `/api/records/contact?limit=1&count=true&filter=${enc({ lifecycle: { eq: 'customer' } })}`);
    expect(r.status).toBe(200);
    expect(r.body.page).toMatchObject({ total: Math.ceil(ROWS / 4) });
    expect(r.body.page.total_is_estimate).toBeUndefined();
  });

  it('estimates past the cap, says so, and never says fewer than it saw', async () => {
    const r = await k.call('GET', '/api/records/contact?limit=1&count=true');
    expect(r.status).toBe(200);
    expect(r.body.page.total_is_estimate).toBe(true);
    expect(r.body.page.total).toBeGreaterThan(COUNT_CAP);
    // After ANALYZE the planner knows the table's size to within a few percent.
    expect(Math.abs(r.body.page.total - ROWS)).toBeLessThan(ROWS * 0.1);
  });

  it('counts every row with count=exact, and refuses a count it does not know', async () => {
    const r = await k.call('GET', '/api/records/contact?limit=1&count=exact');
    expect(r.body.page).toMatchObject({ total: ROWS });
    expect(r.body.page.total_is_estimate).toBeUndefined();
    const bad = await k.call('GET', '/api/records/contact?limit=1&count=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'count', message: expect.stringContaining('true') }]);
  });
});
