// The staging relation holds exactly what the rows say — read back here directly, since the
// import path would hide a refused batch behind its row-by-row fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { stageRows } from './staging.ts';

describe.each(databases)('import batch staging on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
    const add = await k.call('POST', '/api/meta/objects', {
      name: 'widget',
      label: { en: 'Widget', ja: 'ウィジェット' },
      plural: 'widgets',
      fields: [
        { name: 'name', type: 'text', label: { en: 'Name', ja: '名前' } },
        { name: 'price', type: 'currency', label: { en: 'Price', ja: '価格' }, currency: 'JPY' },
        { name: 'due', type: 'date', label: { en: 'Due', ja: '期日' } },
        {
          name: 'tags',
          type: 'multi_select',
          label: { en: 'Tags', ja: 'タグ' },
          options: [
            { value: 'a\\b', label: { en: 'A', ja: 'A' } },
            { value: 'c\td', label: { en: 'C', ja: 'C' } },
          ],
        },
        { name: 'data', type: 'json', label: { en: 'Data', ja: 'データ' } },
      ],
    });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
  }, 60_000);
  afterAll(async () => k?.close());

  it('holds every value as given: tabs, newlines, backslashes, Japanese, JSON scalars, nulls', async () => {
    const tricky = ['a\tb', 'line1\nline2\r\nline3', 'C:\\temp\\new', '\\N', '\\', '"quoted", 髙橋 🍣', ''];
    const rows = [
      ...tricky.map((t, n) => ({
        index: n + 1,
        id: `0190a000-0000-7000-8000-00000000000${n}`,
        values: { name: t, data: { t, nested: [t, { t }] }, tags: ['a\\b', 'c\td'] },
      })),
      {
        index: 20,
        id: '0190a000-0000-7000-8000-000000000020',
        values: { name: null, data: 'a\\b\n', price: { amount: '1200.50', currency: 'USD' }, due: '2026-01-05' },
      },
      { index: 21, id: '0190a000-0000-7000-8000-000000000021', values: { data: 12.5, tags: null } },
    ];
    const model = k.registry.snapshot().models.get('widget')!;
    const stage = stageRows(model, rows);
    const cols = stage.staged.map((c) => sql`${sql.identifier(c.alias)} as ${sql.identifier(c.column)}`);
    const staged = await k.db.query<Record<string, unknown>>(
      sql`select i, id::text as id, ch, ${sql.join(cols, sql`, `)} from ${stage.relation} order by i`,
    );
    const got = staged.map((r) => ({
      ...r,
      due: r.due === null ? null : String(r.due).slice(0, 10),
      price: r.price === null ? null : Number(r.price),
    }));
    expect(got).toEqual(
      rows.map((r) => ({
        i: r.index,
        id: r.id,
        ch: r.values,
        name: (r.values as { name?: string }).name ?? null,
        price: r.index === 20 ? 1200.5 : null,
        price__currency: r.index === 20 ? 'USD' : null,
        due: r.index === 20 ? '2026-01-05' : null,
        tags: (r.values as { tags?: unknown }).tags ?? null,
        data: r.values.data,
      })),
    );
  });
});
