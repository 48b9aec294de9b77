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
});
