// Upsert keys are computed in JS for the incoming value and in SQL for stored ones: the two
// must agree on every text, or a record stops matching its own phone number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { matchKeys, phoneKey } from './match-keys.ts';

const PHONES = [
  '03-1234-5678', '0312345678', '(03) 1234-5678', '０３－１２３４－５６７８', '０３（１２３４）５６７８', '+81 3-1234-5678',
  '+81 (0)3 1234 5678', '＋８１ ３ １２３４ ５６７８', ' 090.1234.5678 ', '+1 415-555-0100', '1234', '---', '', '+', '12 34 (0)5',
];

describe('phone keys', () => {
  it('read a number as people write it in Japan and abroad', () => {
    const tokyo = ['03-1234-5678', '0312345678', '(03) 1234-5678', '０３－１２３４－５６７８', '０３（１２３４）５６７８', '+81 3-1234-5678', '+81 (0)3 1234 5678', '＋８１ ３ １２３４ ５６７８'];
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
    for (const p of PHONES) {
      const [row] = await k.db.query<{ key: string | null }>(sql`select ${matchKeys.phone.sql(sql`${p}::text`)} as key`);
      expect(row.key, p).toBe(phoneKey(p));
    }
  });
});
