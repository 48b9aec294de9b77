import { describe, expect, it } from 'vitest';
import { blockingKeys, comparisonKeys, keyCounts, MAX_BLOCKING_KEY } from './blocking.ts';
import { DEFAULT_RULES, type Rule } from './rules.ts';

const company = '00000000-0000-7000-8000-000000000001';

describe('blocking keys', () => {
  it('gives a record short keys by kind, one person the same under any company', () => {
    const keys = blockingKeys(DEFAULT_RULES.contact, {
      last_name: '中村',
      first_name: '美咲',
      last_name_kana: 'ナカムラ',
      first_name_kana: 'ミサキ',
      email: ' Misaki@Example.JP',
      phone: '03-5708-7760',
      company,
      city: '大阪市',
    });
    expect(keys).toEqual(['email:misaki@example.jp', 'name:~nakamuramisaki', 'name:ナカムラミサキ', 'name:中村美咲', 'phone:+81357087760']);
    expect(blockingKeys(DEFAULT_RULES.contact, { last_name: '中村美咲', company: '00000000-0000-7000-8000-000000000002' })).toContain(
      'name:中村美咲',
    );
    expect(blockingKeys(DEFAULT_RULES.contact, { last_name: 'Misaki Nakamura' })).toEqual([
      'name:misaki nakamura',
      'name:~misakinakamura',
      'name:~nakamuramisaki',
    ]);
    expect(
      blockingKeys(DEFAULT_RULES.company, {
        name: '株式会社エヌ・ティ・ティ・ソフト',
        website: 'https://www.ntt-soft.example.jp/',
        phone: '03-1234-5678',
      }),
    ).toEqual(
      blockingKeys(DEFAULT_RULES.company, { name: 'エヌティティソフト株式会社', website: 'ntt-soft.example.jp', phone: '+81 3 1234 5678' }),
    );
  });

  it('keeps blocks small: no key for a role mailbox, a one-letter name, an address', () => {
    expect(
      blockingKeys(DEFAULT_RULES.contact, { last_name: '林', email: 'info@example.jp', city: '札幌市', region: '北海道', company }),
    ).toEqual([]);
    expect(blockingKeys(DEFAULT_RULES.company, { name: 'X', city: '札幌市' })).toEqual([]);
    expect(comparisonKeys(DEFAULT_RULES.contact[0], { email: 'info@example.jp' })).toEqual(['info@example.jp']);
  });

  it('cuts keys to 255 characters without splitting a character, and gives an exact rule its own keys', () => {
    const long = '𠮷'.repeat(300);
    const [key] = blockingKeys(DEFAULT_RULES.company, { name: long });
    expect(key.length).toBeLessThanOrEqual(MAX_BLOCKING_KEY);
    expect(key.length).toBeGreaterThan(MAX_BLOCKING_KEY - 2);
    expect(key).toBe(key.normalize('NFC'));
    expect(/[\ud800-\udbff]$/.test(key)).toBe(false);
    const rules: Rule[] = [
      { name: 'tax_id', kind: 'exact', fields: ['tax_id'] },
      { name: 'duns', kind: 'exact', fields: ['duns'] },
    ];
    expect(blockingKeys(rules, { tax_id: 'T1234', duns: 'T1234' })).toEqual(['duns:t1234', 'tax_id:t1234']);
  });

  it('counts how many records hold each comparison key, a capped look-up as many', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ last_name: `社員${i}`, phone: '03-5555-0100', email: `s${i}@example.jp` }));
    const count = keyCounts(DEFAULT_RULES.contact, [...rows, { last_name: '社員0', phone: '090-1111-2222' }]);
    expect(count('phone', '+81355550100')).toBe(30);
    expect(count('name', '社員0')).toBe(2);
    expect(count('email', 's1@example.jp')).toBe(1);
    expect(count('email', 'nobody@example.jp')).toBe(1);
    const capped = keyCounts(DEFAULT_RULES.contact, rows.slice(0, 2), 'JP', ['phone:+81355550100']);
    expect(capped('phone', '+81355550100')).toBe(Infinity);
    expect(capped('name', '社員0')).toBe(1);
  });
});

describe('counting the entities that hold a value', () => {
  it('counts the copies of one company or person once, and strangers each', () => {
    const toyota = [
      { name: '株式会社トヨタ', website: 'https://www.toyota.co.jp/', phone: '052-530-1419' },
      { name: 'トヨタ(株)', phone: '+81 52 530 1419' },
      { name: 'ﾄﾖﾀ㈱' },
      { name: '(株)トヨタ', city: '名古屋市中区' },
    ];
    // One known company (one website, one phone) and the records that tell nothing: two at most.
    expect(keyCounts(DEFAULT_RULES.company, toyota)('company_name', 'トヨタ')).toBe(2);
    const copies = [
      { last_name: '佐藤', first_name: '大輔', phone: '03-6797-0355', email: 'sato-d@example.jp' },
      { last_name: '佐藤', first_name: '大輔', phone: '+81 3 6797 0355' },
      {
        last_name: 'サトウ',
        first_name: 'ダイスケ',
        last_name_kana: 'サトウ',
        first_name_kana: 'ダイスケ',
        phone: '0367970355',
        email: 'sato-d@example.jp',
      },
    ];
    expect(keyCounts(DEFAULT_RULES.contact, copies)('phone', '+81367970355')).toBe(2);
  });

  it('keeps a main line, a shared role address and a common name common', () => {
    const main = Array.from({ length: 30 }, (_, i) => ({ last_name: `社員${i}`, phone: '03-5555-0100' }));
    expect(keyCounts(DEFAULT_RULES.contact, [...main, { ...main[0] }])('phone', '+81355550100')).toBe(30);
    // Five James Smiths, each with an email, all on the main line: five people.
    const smiths = Array.from({ length: 5 }, (_, i) => ({
      last_name: 'Smith',
      first_name: 'James',
      phone: '03-5555-0100',
      email: `js${i}@example.com`,
    }));
    expect(keyCounts(DEFAULT_RULES.contact, smiths)('name', 'james smith')).toBe(5);
    // Six people on info@: the role address tells nobody apart, their names do.
    const info = Array.from({ length: 6 }, (_, i) => ({ last_name: `社員${i}`, email: 'info@example.jp', phone: '03-5555-0100' }));
    expect(keyCounts(DEFAULT_RULES.contact, info)('email', 'info@example.jp')).toBe(6);
    // Records telling nothing apart count as records.
    expect(
      keyCounts(DEFAULT_RULES.company, [{ name: '中央商事' }, { name: '中央商事(株)' }, { name: '中央商事' }])('company_name', '中央商事'),
    ).toBe(3);
  });
});
