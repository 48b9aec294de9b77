// Upsert keys are computed in JS for the incoming value and in SQL for stored ones: the two
// must agree on every text, or a record stops matching its own phone number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { prng } from '../testing/prng.ts';
import { matchKeys, phoneKey } from './match-keys.ts';

const PHONES = [
  '03-1234-5678',
  '0312345678',
  '(03) 1234-5678',
  '０３－１２３４－５６７８',
  '０３（１２３４）５６７８',
  '+81 3-1234-5678',
  '+81 (0)3 1234 5678',
  '＋８１ ３ １２３４ ５６７８',
  ' 090.1234.5678 ',
  '+1 415-555-0100',
  '1234',
  '---',
  '',
  '+',
  '12 34 (0)5',
];

describe('phone keys', () => {
  it('read a number as people write it in Japan and abroad', () => {
    const tokyo = [
      '03-1234-5678',
      '0312345678',
      '(03) 1234-5678',
      '０３－１２３４－５６７８',
      '０３（１２３４）５６７８',
      '+81 3-1234-5678',
      '+81 (0)3 1234 5678',
      '＋８１ ３ １２３４ ５６７８',
    ];
    expect(new Set(tokyo.map(phoneKey))).toEqual(new Set(['+81312345678']));
    expect(phoneKey(' 090.1234.5678 ')).toBe('+819012345678');
    expect(phoneKey('+1 415-555-0100')).toBe('+14155550100');
    expect([phoneKey('---'), phoneKey(''), phoneKey(null), phoneKey(12)]).toEqual([null, null, null, null]);
  });
});

describe.each(databases)('match keys in SQL on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  }, 60_000);
  afterAll(async () => k?.close());

  it('computes the same key as JS for every phone text', async () => {
    // The examples, then 300 random strings of what phone numbers are written with.
    const rng = prng(81);
    const alphabet = [...'0123456789０１２３４５６７８９ -().+＋－（）　\t', '(0)', 'x', '内線'];
    const texts = [
      ...PHONES,
      ...Array.from({ length: 300 }, () => Array.from({ length: rng.int(0, 16) }, () => rng.pick(alphabet)).join('')),
    ];
    const rows = await k.db.query<{ i: number; key: string | null }>(
      sql`select i::int as i, ${matchKeys.phone.sql(sql`t`)} as key from json_array_elements_text(${JSON.stringify(texts)}::json) with ordinality as x(t, i)`,
    );
    for (const r of rows) expect(r.key, JSON.stringify(texts[r.i - 1])).toBe(phoneKey(texts[r.i - 1]));
    expect(rows).toHaveLength(texts.length);
    // The cheap narrowing of a single lookup never drops a text that has the key.
    let narrowed = 0;
    for (const t of texts) {
      const key = phoneKey(t);
      const narrow = key && matchKeys.phone.narrow!(sql`${t}::text`, key);
      if (!narrow) continue;
      narrowed++;
      const [row] = await k.db.query<{ ok: boolean }>(sql`select ${narrow} as ok`);
      expect(row.ok, JSON.stringify(t)).toBe(true);
    }
    expect(narrowed).toBeGreaterThan(50);
  });
});
