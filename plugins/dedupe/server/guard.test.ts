import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna, finished, upload, ADMIN_TOKEN, japaneseNames } from 'kizuna/testing';

type Row = Record<string, unknown>;
type Mode = 'off' | 'warn' | 'block';

/**
 * One object's duplicate scenario: a record, a likely copy of it written another way, a record
 * that only resembles it (must never be acted on) and an unrelated one, each made per mode.
 */
interface Scenario {
  object: 'contact' | 'company';
  base(tag: string): Row;
  copy(tag: string): Row;
  lookalike(tag: string): Row;
  other(tag: string): Row;
  /** How the base is named in messages. */
  display(tag: string): string;
  csv(rows: Row[]): string;
}

// Distinct names per mode and operation, so that the scenarios never match each other.
const FAMILY: Record<string, [string, string, string]> = {
  off: ['山田', 'ヤマダ', 'Yamada'],
  warn: ['田中', 'タナカ', 'Tanaka'],
  block: ['鈴木', 'スズキ', 'Suzuki'],
  bulk: ['高橋', 'タカハシ', 'Takahashi'],
  imp: ['渡辺', 'ワタナベ', 'Watanabe'],
  upd: ['伊藤', 'イトウ', 'Ito'],
  imw: ['中村', 'ナカムラ', 'Nakamura'],
  twice: ['小林', 'コバヤシ', 'Kobayashi'],
};
const ORG: Record<string, string> = {
  off: 'さくら商事',
  warn: 'みどり工業',
  block: 'あおば電機',
  bulk: 'ひかり物産',
  imp: 'つばさ運輸',
  upd: 'かえで製作所',
  imw: 'すみれ食品',
  twice: 'はるか建設',
};

const contact: Scenario = {
  object: 'contact',
  base: (t) => ({
    last_name: FAMILY[t][0],
    first_name: '太郎',
    last_name_kana: FAMILY[t][1],
    first_name_kana: 'タロウ',
    email: `taro.${FAMILY[t][2].toLowerCase()}@example.jp`,
    phone: '03-5555-0101',
  }),
  // The same person typed again: the reading in the name fields, the email in another case.
  copy: (t) => ({ last_name: FAMILY[t][1], first_name: 'タロウ', email: ` Taro.${FAMILY[t][2]}@Example.JP ` }),
  // A colleague on the same main line: a shared phone is no duplicate.
  lookalike: (t) => ({
    last_name: FAMILY[t][0],
    first_name: '花子',
    email: `hanako.${FAMILY[t][2].toLowerCase()}@example.jp`,
    phone: '03-5555-0101',
  }),
  other: (t) => ({ last_name: '無関係', first_name: t, email: `other.${t}@example.org` }),
  display: (t) => `${FAMILY[t][0]} 太郎`,
  csv: (rows) =>
    ['last_name,first_name,email,phone', ...rows.map((r) => [r.last_name, r.first_name, r.email, r.phone ?? ''].join(','))].join('\n') +
    '\n',
};

const company: Scenario = {
  object: 'company',
  base: (t) => ({ name: `株式会社${ORG[t]}`, phone: '03-6666-0100' }),
  copy: (t) => ({ name: `${ORG[t].normalize('NFKC')}（株）`, phone: '+81 3 6666 0100' }),
  // Same name, other legal form: another company.
  lookalike: (t) => ({ name: `有限会社${ORG[t]}`, phone: '06-7777-0200' }),
  other: (t) => ({ name: `合同会社無関係${t}` }),
  display: (t) => `株式会社${ORG[t]}`,
  csv: (rows) => ['name,phone', ...rows.map((r) => [r.name, r.phone ?? ''].join(','))].join('\n') + '\n',
};

describe.each(databases)('the dedupe guard on writes on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
  });
  afterAll(async () => k?.close());

  const settings = (objects: Record<string, unknown>) => k.call('PUT', '/api/plugins/dedupe/settings', { objects });
  const create = async (object: string, values: Row, query = '') => k.call('POST', `/api/records/${object}${query}`, values);

  describe.each([contact, company])('$object', (s) => {
    it.each(['off', 'warn', 'block'] as Mode[])(
      'on create in %s mode: acts on the likely copy only, naming the record it matches',
      async (mode) => {
        expect((await settings({ [s.object]: { before_create: mode } })).status).toBe(200);
        const base = await create(s.object, s.base(mode));
        expect(base.status, JSON.stringify(base.body)).toBe(201);
        // Records that are no duplicate are written in every mode (before issue 14 every company create failed).
        for (const values of [s.lookalike(mode), s.other(mode)]) {
          const r = await create(s.object, values);
          expect(r.status, JSON.stringify(r.body)).toBe(201);
          expect(r.body.dedupe_review ?? null).toBeNull();
        }
        const copy = await create(s.object, s.copy(mode));
        if (mode === 'off') {
          expect(copy.status).toBe(201);
          expect(copy.body.dedupe_review ?? null).toBeNull();
        } else if (mode === 'warn') {
          expect(copy.status).toBe(201);
          expect(copy.body.dedupe_review).toBe(true);
          expect(copy.body.dedupe_matches).toEqual([expect.objectContaining({ id: base.body.id, display: s.display(mode) })]);
        } else {
          expect(copy.status, JSON.stringify(copy.body)).toBe(409);
          expect(copy.body).toMatchObject({
            type: expect.stringContaining('duplicate'),
            overridable: true,
            matches: [expect.objectContaining({ id: base.body.id, display: s.display(mode), level: 'likely' })],
          });
          expect(copy.body.detail).toContain(`${s.display(mode)} (${base.body.id})`);
          expect(copy.body.errors.length).toBeGreaterThan(0);
          for (const e of copy.body.errors) expect(e.message).toBe(`matches ${s.display(mode)} (${base.body.id})`);
        }
      },
    );

    it('on update (before_update): a change that makes a record a likely copy is warned or blocked, others pass', async () => {
      const t = 'upd';
      expect((await settings({ [s.object]: { before_create: 'off', before_update: 'block' } })).status).toBe(200);
      const base = (await create(s.object, s.base(t))).body;
      const other = (await create(s.object, s.other(t))).body;
      expect(
        (
          await k.call('PATCH', `/api/records/${s.object}/${other.id}`, {
            [s.object === 'contact' ? 'title' : 'industry']: s.object === 'contact' ? '課長' : 'retail',
          })
        ).status,
      ).toBe(200);
      const blocked = await k.call('PATCH', `/api/records/${s.object}/${other.id}`, s.copy(t));
      expect(blocked.status, JSON.stringify(blocked.body)).toBe(409);
      expect(blocked.body.matches[0]).toMatchObject({ id: base.id, display: s.display(t) });
      expect((await k.call('GET', `/api/records/${s.object}/${other.id}`)).body.version).toBe(other.version + 1);
      expect((await settings({ [s.object]: { before_update: 'warn' } })).status).toBe(200);
      const warned = await k.call('PATCH', `/api/records/${s.object}/${other.id}`, s.copy(t));
      expect(warned.status).toBe(200);
      expect(warned.body).toMatchObject({ dedupe_review: true, dedupe_matches: [expect.objectContaining({ id: base.id })] });
    });

    it('on bulk writes: all or nothing refuses the batch naming the matched record; partial writes the rest', async () => {
      const t = 'bulk';
      expect((await settings({ [s.object]: { before_create: 'block' } })).status).toBe(200);
      const base = (await create(s.object, s.base(t))).body;
      const whole = await k.call('POST', `/api/records/${s.object}/bulk`, { records: [s.other(t), s.copy(t)] });
      expect(whole.status, JSON.stringify(whole.body)).toBe(409);
      expect(whole.body.errors[0]).toMatchObject({
        field: expect.stringMatching(/^records\[1\]\./),
        message: `matches ${s.display(t)} (${base.id})`,
      });
      const part = await k.call('POST', `/api/records/${s.object}/bulk`, {
        records: [s.other(t), s.copy(t), s.lookalike(t)],
        partial: true,
      });
      expect(part.status, JSON.stringify(part.body)).toBe(200);
      expect(part.body).toMatchObject({ created: 2, failed: 1 });
      expect(part.body.errors[0]).toMatchObject({ index: 1, status: 409 });
      expect(JSON.stringify(part.body.errors[0])).toContain(base.id);
      // Two copies of one new record in one request: the second is the duplicate of the first.
      const twice = await k.call('POST', `/api/records/${s.object}/bulk`, { records: [s.base('twice'), s.copy('twice')], partial: true });
      expect(twice.body).toMatchObject({ created: 1, failed: 1 });
      expect(JSON.stringify(twice.body.errors[0])).toContain('row 0 of this batch');
    });

    it.each(['warn', 'block'] as Mode[])(
      "on imports in %s mode: the file's duplicates are marked or refused, naming the record they match",
      async (mode) => {
        const t = mode === 'warn' ? 'imw' : 'imp';
        expect((await settings({ [s.object]: { before_create: mode } })).status).toBe(200);
        const base = (await create(s.object, s.base(t))).body;
        const rows = [s.other(t), s.copy(t), s.lookalike(t)];
        const up = await upload(k, s.csv(rows), `object=${s.object}&filename=dedupe.csv`);
        expect(up.status, JSON.stringify(up.body)).toBe(201);
        const started = await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', mapping: up.body.suggested_mapping });
        expect(started.status, JSON.stringify(started.body)).toBe(202);
        const done = await finished(k, up.body.id);
        expect(done.state).toBe('succeeded');
        if (mode === 'warn') {
          expect(done).toMatchObject({ created: 3, rows_failed: 0 });
          const queue = await k.call(
            'GET',
            `/api/records/${s.object}?filter=${encodeURIComponent(JSON.stringify({ dedupe_review: true }))}&limit=500`,
          );
          expect(queue.body.data.filter((r: Row) => JSON.stringify(r.dedupe_matches ?? []).includes(base.id as string))).toHaveLength(1);
        } else {
          expect(done).toMatchObject({ created: 2, rows_failed: 1 });
          const report = await k.app.request(`/api/imports/${up.body.id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
          const text = Buffer.from(await report.arrayBuffer()).toString('utf8');
          expect(text).toContain(`matches ${s.display(t)} (${base.id})`);
        }
      },
    );
  });

  it('takes a name rule without a relation field (no empty filter), blocks its likely copy and passes the rest', async () => {
    expect(
      (
        await settings({
          contact: {
            before_create: 'block',
            rules: [
              { name: 'person', kind: 'name', fields: ['last_name', 'first_name'] },
              { name: 'email', kind: 'email', fields: ['email'] },
            ],
          },
        })
      ).status,
    ).toBe(200);
    const a = await create('contact', { last_name: '西園寺', first_name: '公望', email: 'kinmochi@example.jp' });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect((await create('contact', { last_name: '東山', first_name: '一郎' })).status).toBe(201);
    const again = await create('contact', { last_name: '西園寺公望', email: 'KINMOCHI@example.jp' });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body.matches[0].id).toBe(a.body.id);
  });

  it("stores each record's keys (internal: not in its history)", async () => {
    const c = await create('contact', { last_name: '履歴', first_name: '確認', email: 'history.check@example.jp' });
    const tl = (await k.call('GET', `/api/records/contact/${c.body.id}/timeline`)).body.data;
    expect(Object.keys(tl[0].changes)).not.toContain('dedupe_keys');
    expect(c.body.dedupe_keys).toEqual(expect.arrayContaining(['email:history.check@example.jp']));
  });
});

// Small batches, so that a copy lands in the batch after its original — on PostgreSQL written
// at the same time, before the original's batch commits (BeforeBatchEvent.earlier).
describe.each(databases)('the dedupe guard on imports in small batches on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50, importBatchSize: 10 });
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
  });
  afterAll(async () => k?.close());

  /**
   * Groups of ten lines, one import batch each: five people, then copies of the previous
   * group's five typed another way (their reading, the email in capitals) — every copy in the
   * batch after its original. The first group's copies are people of their own.
   */
  function file(offset: number) {
    const han = /\p{Script=Han}/u;
    const names = japaneseNames();
    const family = names.family.filter(([f]) => han.test(f));
    const given = names.given.filter(([g]) => han.test(g));
    const person = (i: number) => {
      const [f, fk] = family[(offset + i * 37) % family.length];
      const [g, gk] = given[(offset + i * 53) % given.length];
      return { family: f, familyKana: fk, given: g, givenKana: gk, email: `import.${offset}.${i}@example.jp` };
    };
    const people = Array.from({ length: 30 }, (_, i) => person(i));
    const lines: string[] = [];
    const copied: number[] = [];
    for (let g = 0; g < 6; g++) {
      for (let j = 0; j < 5; j++) {
        if (g === 0) lines.push(((p) => [p.family, p.given, p.email].join(','))(person(100 + j)));
        else {
          const p = people[(g - 1) * 5 + j];
          copied.push((g - 1) * 5 + j);
          lines.push([p.familyKana, p.givenKana, p.email.toUpperCase()].join(','));
        }
      }
      for (let j = 0; j < 5; j++) lines.push(((p) => [p.family, p.given, p.email].join(','))(people[g * 5 + j]));
    }
    return { people, copies: copied, csv: `last_name,first_name,email\n${lines.join('\n')}\n` };
  }

  const all = async () => (await k.call('GET', '/api/records/contact?limit=500')).body.data as Row[];

  it.each(['block', 'warn'] as Mode[])(
    '%s: a copy in the batch after its original is found and named by the id the original got',
    async (mode) => {
      expect((await k.call('PUT', '/api/plugins/dedupe/settings', { objects: { contact: { before_create: mode } } })).status).toBe(200);
      const { people, copies, csv } = file(mode === 'block' ? 100 : 2000);
      const up = await upload(k, csv, 'object=contact&filename=batches.csv');
      expect(
        (await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', mapping: up.body.suggested_mapping })).status,
      ).toBe(202);
      const done = await finished(k, up.body.id);
      const records = await all();
      const originalOf = (c: number) => records.find((r) => r.email === people[c].email && r.last_name === people[c].family)!;
      if (mode === 'block') {
        expect(done).toMatchObject({ state: 'succeeded', created: 35, rows_failed: copies.length });
        const report = Buffer.from(
          await (
            await k.app.request(`/api/imports/${up.body.id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
          ).arrayBuffer(),
        ).toString('utf8');
        for (const c of copies) expect(report).toContain(`matches ${people[c].family} ${people[c].given} (${originalOf(c).id})`);
      } else {
        expect(done).toMatchObject({ state: 'succeeded', created: 35 + copies.length, rows_failed: 0 });
        for (const c of copies) {
          const copy = records.find(
            (r) => r.email === people[c].email.toUpperCase() || (r.email === people[c].email && r.last_name === people[c].familyKana),
          )!;
          expect(copy?.dedupe_review, people[c].family).toBe(true);
          expect(copy.dedupe_matches).toEqual([
            expect.objectContaining({ id: originalOf(c).id, display: `${people[c].family} ${people[c].given}` }),
          ]);
        }
      }
    },
  );
});

describe.each(databases)('the dedupe plugin installed over existing records on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
  });
  afterAll(async () => k?.close());

  it('fills in the keys of records written before it was installed, silently, and then finds their duplicates', async () => {
    const old = (await k.call('POST', '/api/records/company', { name: '株式会社古参商会', phone: '03-1111-2222' })).body;
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
    await expect
      .poll(async () => (await k.call('GET', `/api/records/company/${old.id}`)).body.dedupe_keys, { timeout: 30_000, interval: 200 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/^company_name:/)]));
    const after = (await k.call('GET', `/api/records/company/${old.id}`)).body;
    expect(after.version).toBe(old.version);
    expect((await k.call('GET', `/api/records/company/${old.id}/timeline`)).body.data).toHaveLength(1);
    const copy = (await k.call('POST', '/api/records/company', { name: '古参商会(株)', phone: '0311112222' })).body;
    const found = await k.call('GET', `/api/plugins/dedupe/duplicates/company/${copy.id}`);
    expect(found.body.data).toEqual([expect.objectContaining({ id: old.id, level: 'likely' })]);
  });
});
