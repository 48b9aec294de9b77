// Relation and user cells by name (issue 16, item 7): a contact by its display template in
// English or Japanese (names of several words too), a user by name, and a name several records
// or users share failing its row instead of being guessed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { upload } from '../testing/imports.ts';
import { nameRuns } from './reference-names.ts';

describe('nameRuns', () => {
  it('gives every run of up to six words, split at spaces and at the template’s separators', () => {
    expect(nameRuns('Mary Ann Smith', ' ')).toEqual(['Mary', 'Mary Ann', 'Mary Ann Smith', 'Ann', 'Ann Smith', 'Smith']);
    expect(nameRuns('山田　太郎', ' ')).toEqual(['山田', '山田　太郎', '太郎']);
    expect(nameRuns('Smith, John', ', ')).toEqual(['Smith', 'Smith, John', 'John']);
    expect(nameRuns('a b c d e f g h', ' ')).not.toContain('a b c d e f g');
  });
});

describe.each(databases)('relation and user cells by name on %s', (kind) => {
  let k: TestKizuna;
  const ids: Record<string, string> = {};
  const create = async (object: string, body: Record<string, unknown>) => {
    const r = await k.call('POST', `/api/records/${object}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  /** The preview of a case import: per row, its values and its errors. */
  const preview = async (rows: string[][]) => {
    const csv = [['subject', 'contact', 'assignee'], ...rows].map((r) => r.join(',')).join('\r\n');
    const up = await upload(k, csv, 'object=case&filename=cases.csv');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const r = await k.call('GET', `/api/imports/${up.body.id}/preview`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.rows as { values: Record<string, unknown>; errors: { field: string; message: string }[] }[];
  };

  beforeAll(async () => {
    k = await startKizuna(kind);
    for (const [key, name] of [
      ['ichiro', '鈴木 一郎'],
      ['sato1', '佐藤 花子'],
      ['sato2', '佐藤 花子'],
    ]) {
      const u = await k.call('POST', '/api/users', { email: `${key}@example.jp`, name, roles: ['sales_rep'] });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      ids[key] = u.body.id;
    }
    ids.yamada = await create('contact', { last_name: '山田', first_name: '一郎' });
    ids.mary = await create('contact', { last_name: 'Smith', first_name: 'Mary Ann' });
    ids.twin1 = await create('contact', { last_name: '田中', first_name: '次郎' });
    ids.twin2 = await create('contact', { last_name: '田中', first_name: '次郎' });
  });
  afterAll(async () => k?.close());

  it('reads a contact by its display value in English or Japanese, and a user by name', async () => {
    const rows = await preview([
      ['A', '山田 一郎', '鈴木 一郎'],
      ['B', '一郎 山田', ids.ichiro],
      ['C', 'Mary Ann Smith', ''],
      // The display field alone, as imports always read it.
      ['D', 'Smith', ''],
      // A full-width space, as Japanese is typed.
      ['E', '山田　一郎', ''],
    ]);
    expect(rows.map((r) => r.errors)).toEqual([[], [], [], [], []]);
    expect(rows.map((r) => r.values.contact)).toEqual([ids.yamada, ids.yamada, ids.mary, ids.mary, ids.yamada]);
    expect(rows.map((r) => r.values.assignee ?? null)).toEqual([ids.ichiro, ids.ichiro, null, null, null]);
  });

  it('fails a row whose contact or user name several share, or that nothing is called, naming the field', async () => {
    const rows = await preview([
      ['A', '田中 次郎', ''],
      ['B', '', '佐藤 花子'],
      ['C', '山田 二郎', ''],
      ['D', '', '誰も いない'],
    ]);
    expect(rows[0].errors).toContainEqual({
      field: 'contact',
      keyword: 'lookup_ambiguous',
      message: expect.stringMatching(/several contact records are named "田中 次郎"/),
    });
    expect(rows[1].errors).toContainEqual({
      field: 'assignee',
      keyword: 'lookup_ambiguous',
      message: expect.stringMatching(/several users are named "佐藤 花子"/),
    });
    expect(rows[2].errors).toContainEqual({
      field: 'contact',
      keyword: 'lookup_missing',
      message: expect.stringMatching(/no contact named "山田 二郎"/),
    });
    expect(rows[3].errors).toContainEqual({
      field: 'assignee',
      keyword: 'lookup_missing',
      message: expect.stringMatching(/no user named "誰も いない"/),
    });
  });
});
