// Phone numbers are found with or without their hyphens, and search documents a database
// wrote under the earlier normalization are recomputed in the background, in batches, once
// across nodes — tested where it can fail: before the refresh the old documents miss.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from '../db/index.ts';
import { fastNormDdl } from '../model/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { enqueueSearchRefresh, registerSearchRefresh, SEARCH_REFRESH_JOB } from './refresh.ts';

// kizuna_norm as it was before issue 17: digits keep their hyphens.
const earlierNorm = fastNormDdl.replace(/\n {2}if k ~ '\[0-9\]\[\^0-9\]\+\[0-9\]'[^\n]*\n/, '\n');

describe.each(databases)('phone digits in q, and the refresh of older search documents, on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(() => k?.close());

  const found = async (q: string) => {
    const r = await k.call('GET', `/api/records/contact?q=${encodeURIComponent(q)}&fields=last_name`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.data.map((c: { last_name: string }) => c.last_name).sort();
  };

  it('finds a phone typed with hyphens, without them, or with brackets and spaces', async () => {
    const created = await k.call('POST', '/api/records/contact', { last_name: '電話', first_name: '太郎', phone: '03-7777-6666' });
    expect(created.status).toBe(201);
    for (const q of ['7777-6666', '77776666', '0377776666', '03(7777)6666', '03 7777 6666', '０３－７７７７－６６６６'])
      expect(await found(q), q).toEqual(['電話']);
    expect(await found('7777-6667')).toEqual([]);
  });

  it('recomputes documents written under the earlier normalization, in batches, once', async () => {
    expect(earlierNorm).not.toBe(fastNormDdl);
    await k.db.query(sql.raw(earlierNorm));
    const records = Array.from({ length: 5 }, (_, i) => ({ last_name: `旧${i}`, first_name: '花子', phone: `06-1234-500${i}` }));
    expect((await k.call('POST', '/api/records/contact/bulk', { records })).status).toBe(200);
    await k.db.query(sql.raw(fastNormDdl));
    // As the migration leaves a database written before it: the old documents miss digits typed without hyphens.
    expect(await found('12345003')).toEqual([]);
    expect(await found('1234-5003')).toEqual([]);

    const table = k.registry.snapshot().models.get('contact')!.table;
    await k.db.query(sql`insert into kizuna_search_refresh (table_name) values (${table}), ('no_such_table')`);
    registerSearchRefresh(k.jobs, { db: k.db, documentColumn: (t) => (t === table ? 'last_name' : undefined), batch: 2 });
    expect((await enqueueSearchRefresh(k.db, k.jobs)).sort()).toEqual([table, 'no_such_table'].sort());
    expect(await enqueueSearchRefresh(k.db, k.jobs)).toEqual([]);

    const jobs = async () =>
      k.db.query<{ state: string; result: { rows?: number; skipped?: string } }>(
        sql`select state, result from kizuna_jobs where kind = ${SEARCH_REFRESH_JOB} order by created_at`,
      );
    await vi.waitFor(async () => expect((await jobs()).map((j) => j.state)).toEqual(['succeeded', 'succeeded']), {
      timeout: 30_000,
      interval: 100,
    });
    const results = (await jobs()).map((j) => j.result);
    const total = (await k.db.query<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)}`))[0].n;
    expect(results).toContainEqual({ rows: total });
    expect(results).toContainEqual({ skipped: 'no searchable object owns this table' });
    expect(await found('12345003')).toEqual(['旧3']);
    expect(await found('1234-5003')).toEqual(['旧3']);
    // Nothing else about the records changed.
    const r = await k.call('GET', `/api/records/contact?q=${encodeURIComponent('花子')}&fields=version`);
    expect(r.body.data.map((c: { version: number }) => c.version)).toEqual([1, 1, 1, 1, 1]);
  });
});
