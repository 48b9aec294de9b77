// The tags field type: free text values in a text[] column with a GIN index built without
// fastupdate, written by create, bulk and import alike, filtered by has_any / has_all / is_null.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { finished, upload } from '../testing/imports.ts';

describe.each(databases)('tags fields on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
    const add = await k.call('POST', '/api/meta/objects', {
      name: 'note',
      label: { en: 'Note', ja: 'メモ' },
      plural: 'notes',
      fields: [
        { name: 'title', type: 'text', label: { en: 'Title', ja: '題' }, required: true },
        { name: 'labels', type: 'tags', label: { en: 'Labels', ja: 'ラベル' } },
      ],
    });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
  }, 60_000);
  afterAll(async () => k?.close());

  const titles = async (filter: unknown) => {
    const res = await k.call('GET', `/api/records/note?sort=title&fields=title&filter=${encodeURIComponent(JSON.stringify(filter))}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.map((r: { title: string }) => r.title);
  };

  it('refuses options on a tags field, as on any type without an option list', async () => {
    const res = await k.call('POST', '/api/meta/objects/note/fields', {
      name: 'bad',
      type: 'tags',
      label: { en: 'Bad', ja: '悪' },
      options: [{ value: 'a', label: { en: 'A', ja: 'A' } }],
    });
    expect(res.status).toBe(422);
  });

  it('stores free text values trimmed, without blanks or repeats, and reads them back as a list', async () => {
    const res = await k.call('POST', '/api/records/note', { title: 'n-trim', labels: [' VIP ', 'VIP', '', '東京', 'vip'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.labels).toEqual(['VIP', '東京', 'vip']);
    const upd = await k.call('PATCH', `/api/records/note/${res.body.id}`, { labels: ['a,b'] });
    expect(upd.body.labels).toEqual(['a,b']);
  });

  it('filters by has_any, has_all and is_null (an empty list counts as none)', async () => {
    for (const [title, labels] of [
      ['f1', ['red', 'blue']],
      ['f2', ['blue']],
      ['f3', []],
      ['f4', null],
      ['f5', ['green', 'red', 'blue']],
    ] as const) {
      expect((await k.call('POST', '/api/records/note', { title, labels })).status).toBe(201);
    }
    const f = (op: object) => ({ and: [{ title: { starts_with: 'f' } }, { labels: op }] });
    expect(await titles(f({ has_any: ['red', 'green'] }))).toEqual(['f1', 'f5']);
    expect(await titles(f({ has_all: ['red', 'blue'] }))).toEqual(['f1', 'f5']);
    expect(await titles(f({ has_any: [] }))).toEqual([]);
    expect(await titles(f({ is_null: true }))).toEqual(['f3', 'f4']);
    expect(await titles(f({ is_null: false }))).toEqual(['f1', 'f2', 'f5']);
    const eq = await k.call('GET', `/api/records/note?filter=${encodeURIComponent(JSON.stringify({ labels: { eq: 'red' } }))}`);
    expect(eq.status).toBe(400);
    expect(eq.body.errors[0].field).toBe('labels');
  });

  it('refuses 201 values, a 256-character value and a non-string with 422 naming the field', async () => {
    const cases: [unknown, string, string][] = [
      [Array.from({ length: 201 }, (_, i) => `t${i}`), 'labels', 'maxItems'],
      [['ok', 'x'.repeat(256)], 'labels.1', 'maxLength'],
      [['ok', 12], 'labels.1', 'type'],
      ['red', 'labels', 'type'],
    ];
    for (const [labels, field, keyword] of cases) {
      const res = await k.call('POST', '/api/records/note', { title: 'refused', labels });
      expect(res.status, JSON.stringify(labels).slice(0, 40)).toBe(422);
      expect(res.body.errors).toMatchObject([{ field, keyword }]);
    }
    // The limits themselves are accepted.
    const edge = await k.call('POST', '/api/records/note', {
      title: 'edge',
      labels: [...Array.from({ length: 199 }, (_, i) => `t${i}`), 'x'.repeat(255)],
    });
    expect(edge.status, JSON.stringify(edge.body).slice(0, 300)).toBe(201);
    expect(await titles({ title: 'refused' })).toEqual([]);
  });

  it('writes tags through the bulk API as a single create does', async () => {
    const res = await k.call('POST', '/api/records/note/bulk', {
      records: [{ title: 'b1', labels: ['bulk', ' x '] }, { title: 'b2', labels: ['bulk', 'bulk'] }, { title: 'b3' }],
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    const got = (
      await k.call(
        'GET',
        `/api/records/note?sort=title&fields=title,labels&filter=${encodeURIComponent(JSON.stringify({ title: { starts_with: 'b' } }))}`,
      )
    ).body.data;
    expect(got.map((r: { labels: unknown }) => r.labels)).toEqual([['bulk', 'x'], ['bulk'], null]);
    const bad = await k.call('POST', '/api/records/note/bulk', { records: [{ title: 'b4', labels: [1] }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ field: 'records[0].labels.0', message: 'must be a string' }]);
  });

  it('imports a CSV column of tags split on ; , 、 | (full-width too), trimmed, blanks dropped, kept as written', async () => {
    const csv = 'title,labels\ni1,"red; blue ,red"\ni2,東京、大阪｜ＶＩＰ\ni3, \ni4,"a||b"\n';
    const up = await upload(k, csv, 'object=note&filename=notes.csv');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', mapping: { title: 'title', labels: 'labels' } });
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'succeeded', created: 4, rows_failed: 0 });
    const got = (
      await k.call(
        'GET',
        `/api/records/note?sort=title&fields=title,labels&filter=${encodeURIComponent(JSON.stringify({ title: { starts_with: 'i' } }))}`,
      )
    ).body.data;
    expect(got.map((r: { labels: unknown }) => r.labels)).toEqual([['red', 'blue'], ['東京', '大阪', 'ＶＩＰ'], null, ['a', 'b']]);
    expect(await titles({ labels: { has_any: ['大阪'] } })).toEqual(['i2']);
  });

  it('keeps a text[] column with a GIN index built without fastupdate, also for a field added later', async () => {
    const added = await k.call('POST', '/api/meta/objects/note/fields', {
      name: 'topics',
      type: 'tags',
      label: { en: 'Topics', ja: '話題' },
    });
    expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
    for (const name of ['labels', 'topics']) {
      const [col] = await k.db.query<{ t: string }>(
        sql`select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = 'note'::regclass and attname = ${name}`,
      );
      expect(col.t).toBe('text[]');
      const ix = await k.db.query<{
        def: string;
        opts: string[] | null;
      }>(sql`select pg_get_indexdef(i.indexrelid) as def, c.reloptions as opts
        from pg_index i join pg_class c on c.oid = i.indexrelid join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = 'note'::regclass and a.attname = ${name}`);
      expect(ix).toHaveLength(1);
      expect(ix[0].def).toContain(`USING gin (${name})`);
      expect(ix[0].opts).toEqual(['fastupdate=off']);
    }
  });
});
