// Relevance order for q without sort (issue 17 item 1): exact before prefix before substring,
// paging through it returns every match once (also past the ranked window), and phone numbers
// are found and ranked whether or not the query has hyphens.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { readableFields } from './access.ts';
import { listConditions } from './list.ts';
import { rankSql, relevancePage, UNRANKED, type RelevanceCursor } from './relevance.ts';
import { selectList } from './select.ts';

describe.each(databases)('relevance order on %s', (kind) => {
  let k: TestKizuna;
  const ids: Record<string, string> = {};
  const create = async (body: Record<string, unknown>) => {
    const r = await k.call('POST', '/api/records/contact', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const list = async (query: string) => {
    const r = await k.call('GET', `/api/records/contact?${query}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { data: { id: string }[]; page: { next_cursor: string | null; has_more: boolean } };
  };
  const q = (s: string) => `q=${encodeURIComponent(s)}`;

  beforeAll(async () => {
    k = await startKizuna(kind);
    // Oldest first: newest-first order would list them the other way round.
    ids.exact = await create({ last_name: '田中', first_name: '一郎', phone: '03-7777-6666' });
    ids.prefix = await create({ last_name: '田中山', first_name: '花子', phone: '06-7777-6666' });
    ids.contains = await create({ last_name: '山田中', first_name: '次郎', phone: '+81 3-0377-1234' });
    ids.fullName = await create({ last_name: '山本', first_name: '田中' });
    ids.other = await create({ last_name: '佐藤', first_name: '三郎', email: 'tanaka.sato@example.jp' });
  });
  afterAll(() => k?.close());

  it('orders q without sort exact → prefix → substring, newest first within a rank', async () => {
    const page = await list(q('田中'));
    // 山本 田中: first_name equals the query (exact, newer than 田中 一郎); tanaka… has no 田中.
    expect(page.data.map((r) => r.id)).toEqual([ids.fullName, ids.exact, ids.prefix, ids.contains]);
    expect(page.page).toEqual({ next_cursor: null, has_more: false });
  });

  it('ranks on the display name too, and GET /api/search ranks the same way', async () => {
    expect((await list(q('田中 一郎'))).data.map((r) => r.id)).toEqual([ids.exact]);
    const hits = async (s: string) => {
      const r = await k.call('GET', `/api/search?${q(s)}&limit=10`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.groups as { object: string; records: { id: string; match: string }[] }[])
        .find((g) => g.object === 'contact')!
        .records.map(({ id, match }) => ({ id, match }));
    };
    // The ja display name (last name, first name) equals the query after spaces are removed.
    expect(await hits('田中 一郎')).toEqual([{ id: ids.exact, match: 'exact' }]);
    expect(await hits('TANAKA')).toEqual([{ id: ids.other, match: 'prefix' }]);
    expect(await hits('田中')).toEqual([
      { id: ids.fullName, match: 'exact' },
      { id: ids.exact, match: 'exact' },
      { id: ids.prefix, match: 'prefix' },
      { id: ids.contains, match: 'contains' },
    ]);
  });

  it('finds a long query (more bigrams than the index is asked for) exactly, and nothing that only shares its bigrams', async () => {
    expect((await list(q('tanaka.sato@example.jp'))).data.map((r) => r.id)).toEqual([ids.other]);
    expect((await list(q('tanaka.sato@example.jq'))).data).toEqual([]);
    expect((await list(q('tanaka.satoexample.jp'))).data).toEqual([]);
  });

  it('keeps an explicit sort: q with sort=-id is newest first', async () => {
    const page = await list(`${q('田中')}&sort=-id`);
    expect(page.data.map((r) => r.id)).toEqual([ids.fullName, ids.contains, ids.prefix, ids.exact]);
  });

  it('pages through a relevance-ordered list with its cursor, every match once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`${q('田中')}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((r) => r.id));
      cursor = page.page.next_cursor;
      expect(page.page.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual([ids.fullName, ids.exact, ids.prefix, ids.contains]);
  });

  it('rejects a damaged cursor and a sorted-list cursor on a relevance list with 400 naming cursor', async () => {
    const sorted = await list(`${q('田中')}&sort=-id&limit=1`);
    for (const cursor of [
      sorted.page.next_cursor!,
      'bm9wZQ',
      Buffer.from('{"s":"~relevance","w":null,"r":9,"v":"x"}').toString('base64url'),
    ]) {
      const r = await k.call('GET', `/api/records/contact?${q('田中')}&cursor=${cursor}`);
      expect(r.status).toBe(400);
      expect(r.body.errors[0].field).toBe('cursor');
    }
  });

  it('finds phone numbers typed with or without hyphens, and ranks the whole number exact', async () => {
    for (const typed of ['7777-6666', '77776666', '7777 6666']) {
      const page = await list(q(typed));
      expect(page.data.map((r) => r.id).sort(), typed).toEqual([ids.exact, ids.prefix].sort());
    }
    for (const typed of ['03-7777-6666', '0377776666', '03(7777)6666']) {
      expect(
        (await list(q(typed))).data.map((r) => r.id),
        typed,
      ).toEqual([ids.exact]);
    }
    // Two hits, the one whose phone starts with the digits first although it is older.
    const page = await list(q('0377'));
    expect(page.data.map((r) => r.id)).toEqual([ids.exact, ids.contains]);
  });

  it('ranks only the newest window of matches and continues past it by id, every match once', async () => {
    const model = k.registry.snapshot().models.get('contact')!;
    const more = [];
    for (const last_name of ['田中', '田中川', '大田中', '田中', '中田中']) more.push(await create({ last_name }));
    const matches = [ids.exact, ids.prefix, ids.contains, ids.fullName, ...more].reverse(); // newest first
    const rankOf: Record<string, number> = {
      [ids.exact]: 0,
      [ids.prefix]: 1,
      [ids.contains]: 2,
      [ids.fullName]: 0,
      [more[0]]: 0,
      [more[1]]: 1,
      [more[2]]: 2,
      [more[3]]: 0,
      [more[4]]: 2,
    };
    const windowSize = 4;
    const ranked = matches.slice(0, windowSize).sort((a, b) => rankOf[a] - rankOf[b] || (a < b ? 1 : -1));
    const expected = [...ranked, ...matches.slice(windowSize)];
    const ctx = { models: k.registry.snapshot().models };
    const readable = readableFields(model, undefined);
    const src = {
      table: sql.identifier(model.table),
      alias: 't',
      where: sql.join(listConditions(model, { q: '田中', trashed: false }, 't', ctx), sql` and `),
      select: selectList(model, 't', readable),
      rank: rankSql(model, readable, 't', '田中'),
    };
    for (const limit of [1, 2, 3, 5]) {
      const seen: { id: string; rank: number }[] = [];
      let cursor: RelevanceCursor | undefined;
      for (;;) {
        const { rows, window } = await relevancePage((s) => k.db.query(s), src, limit, cursor, windowSize);
        expect(window).toBe([...matches.slice(0, windowSize)].sort().at(0));
        const page = rows.slice(0, limit);
        seen.push(...page.map((r) => ({ id: String(r.id), rank: Number(r.__rank) })));
        if (rows.length <= limit) break;
        const last = page[page.length - 1];
        cursor = { window, rank: Number(last.__rank), id: String(last.id) };
      }
      expect(
        seen.map((s) => s.id),
        `limit ${limit}`,
      ).toEqual(expected);
      expect(seen.map((s) => s.rank)).toEqual([...ranked.map((id) => rankOf[id]), ...matches.slice(windowSize).map(() => UNRANKED)]);
    }
  });
});
