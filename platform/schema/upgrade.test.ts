import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { upgradeLayouts } from './upgrade.ts';

describe.each(databases)('layout upgrade on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(() => k?.close());

  it('gives a table from the earlier layout its stored search document on start', async () => {
    await k.call('POST', '/api/records/contact', { last_name: '更新', first_name: '前' });
    await k.db.query(sql`alter table contact drop column __search`); // as an earlier version left it
    expect(await upgradeLayouts(k.db, k.registry.snapshot().models.values())).toContain('contact');
    const r = await k.call('GET', `/api/records/contact?q=${encodeURIComponent('更新前')}`);
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(1);
    expect(await upgradeLayouts(k.db, k.registry.snapshot().models.values())).toEqual([]);
  });

  it('adds an index the layout has and the table lacks: the email match key that upserts look records up by', async () => {
    await k.db.query(sql`drop index contact_email_lower_idx`);
    expect(await upgradeLayouts(k.db, k.registry.snapshot().models.values())).toEqual(['contact']);
    const plan = await k.db.transaction(async (tx) => {
      await tx.query(sql`set local enable_seqscan = off`);
      return tx.query<{ 'QUERY PLAN': string }>(
        sql`explain select id from contact t where t.deleted_at is null and lower(btrim(t.email)) = lower(btrim(${' Taro@Example.JP '}::text))`,
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('contact_email_lower_idx');
    expect(await upgradeLayouts(k.db, k.registry.snapshot().models.values())).toEqual([]);
  });

  it('gives an indexed phone field the E.164 match-key index that upserts look records up by', async () => {
    const r = await k.call('PATCH', '/api/meta/objects/contact/fields/mobile', { indexed: true });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    const plan = await k.db.transaction(async (tx) => {
      await tx.query(sql`set local enable_seqscan = off`);
      return tx.query<{ 'QUERY PLAN': string }>(
        sql`explain select id from contact t where kizuna_phone_key(t.mobile) = ${'+819012345678'}`,
      );
    });
    expect(plan.map((x) => x['QUERY PLAN']).join('\n')).toContain('contact_mobile_phone_key_idx');
  });

  it('rebuilds a search index of the earlier form (default collation) in the COLLATE "C" form', async () => {
    await k.call('POST', '/api/records/contact', { last_name: '索引', first_name: '旧', email: 'old.index@example.jp' });
    await k.db.query(sql`drop index contact_search_idx`);
    await k.db.query(sql`create index contact_search_idx on contact using gin ((kizuna_grams(__search)))`);
    expect(await upgradeLayouts(k.db, k.registry.snapshot().models.values())).toEqual(['contact']);
    const [def] = await k.db.query<{ d: string }>(
      sql`select indexdef as d from pg_indexes where schemaname = current_schema() and indexname = 'contact_search_idx'`,
    );
    expect(def.d).toContain('COLLATE "C"');
    for (const q of ['索引旧', 'old.index', '旧', 'o']) {
      const r = await k.call('GET', `/api/records/contact?q=${encodeURIComponent(q)}`);
      expect(
        r.body.data.map((c: { email: string }) => c.email),
        q,
      ).toContain('old.index@example.jp');
    }
    expect(await upgradeLayouts(k.db, k.registry.snapshot().models.values())).toEqual([]);
  });
});
