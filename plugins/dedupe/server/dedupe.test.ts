import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture, databases, startKizuna, type TestKizuna } from 'kizuna/testing';

const csv = parse(readFixture('csv/contacts-500-utf8.csv'), { columns: true, bom: true }) as Record<string, string>[];
const orgs = [
  ...new Set(
    new TextDecoder('euc-jp')
      .decode(readFixture('ja-companies/ipadic-Noun.org.euc-jp.csv'))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(',')[0]),
  ),
];

describe.each(databases)('dedupe plugin on %s', (kind) => {
  let k: TestKizuna;
  const ids = (r: { body: { data: { id: string }[] } }) => r.body.data.map((x) => x.id);
  const create = async (object: string, values: Record<string, unknown>) => {
    const r = await k.call('POST', `/api/records/${object}`, values);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as Record<string, any>;
  };
  const asUser = async (email: string, roles: string[]) => {
    const u = await k.call('POST', '/api/users', { email, name: email, roles });
    const key = (await k.call('POST', '/api/api-keys', { name: email, user_id: u.body.id })).body.key;
    return { authorization: `Bearer ${key}` };
  };

  beforeAll(async () => {
    k = await startKizuna(kind);
    const r = await k.call('POST', '/api/plugins/dedupe/install');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });
  afterAll(async () => k?.close());

  it('scans the 500 messy contacts: people sharing an email but nothing else are not grouped, real copies are, in one pass or in partitions', async () => {
    const companies = [...new Set(csv.map((r) => r.company).filter(Boolean))];
    const made = await k.call('POST', '/api/records/company/bulk', { records: companies.map((name) => ({ name })) });
    expect(made.status).toBe(200);
    const companyId = new Map(companies.map((n, i) => [n, made.body.records[i].id]));
    const rows = csv.map((r) => ({
      last_name: r.last_name,
      first_name: r.first_name || null,
      last_name_kana: r.last_name_kana || null,
      first_name_kana: r.first_name_kana || null,
      email: r.email || null,
      phone: r.phone || null,
      title: r.title || null,
      city: r.city || null,
      company: companyId.get(r.company) ?? null,
    }));
    const loaded = await k.call('POST', '/api/records/contact/bulk', { records: rows, partial: true });
    expect(loaded.body.created).toBeGreaterThan(450);
    // The file's repeated emails belong to different people (other names, phones, companies):
    // a shared address alone is no duplicate. Copies of real people are: the same name and
    // email written another way (case, spaces, width), or the same name and mobile.
    const createdRows = new Set(loaded.body.records.map((r: { index: number }) => r.index));
    const originals = loaded.body.records.filter((r: { index: number }) => rows[r.index].email && rows[r.index].first_name).slice(0, 6);
    const copies = originals.map((o: { index: number }, n: number) => {
      const r = rows[o.index];
      return n % 2 === 0
        ? { last_name: r.last_name, first_name: r.first_name, email: `  ${String(r.email).toUpperCase()} ` }
        : {
            last_name: ` ${r.last_name.normalize('NFKC')}`,
            first_name: `${r.first_name}　`,
            email: String(r.email)
              .trim()
              .replace(/^./, (c) => c.toUpperCase()),
          };
    });
    const copied = await k.call('POST', '/api/records/contact/bulk', { records: copies, partial: true });
    expect(copied.body.created).toBe(6);
    const scan = await k.call('POST', '/api/plugins/dedupe/scan/contact', { limit: 1000 });
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    expect(scan.body.scanned).toBe(loaded.body.created + 6);
    const groups = scan.body.groups.map((g: { ids: string[] }) => g.ids.join()).sort();
    const expected = originals.map((o: { id: string }, n: number) => [o.id, copied.body.records[n].id].sort().join()).sort();
    expect(groups).toEqual(expected);
    const shared = new Map<string, string[]>();
    csv.forEach((r, i) => {
      if (!createdRows.has(i) || !r.email.trim()) return;
      const e = r.email.trim().toLowerCase();
      shared.set(e, [...(shared.get(e) ?? []), loaded.body.records.find((x: { index: number }) => x.index === i).id]);
    });
    expect([...shared.values()].filter((v) => v.length > 1).length).toBeGreaterThanOrEqual(8);
    const partitioned = await k.call('POST', '/api/plugins/dedupe/scan/contact', { partitions: 3, limit: 1000 });
    expect(partitioned.body.partitions).toBe(3);
    expect(partitioned.body.groups.map((g: { ids: string[] }) => g.ids.join())).toEqual(
      scan.body.groups.map((g: { ids: string[] }) => g.ids.join()),
    );
  });

  it("finds a contact's duplicates across kana, width, old kanji and phone formats, with the rule and a score", async () => {
    const co = await create('company', { name: 'ﾃｽﾄ商事㈱' });
    const a = await create('contact', { last_name: 'ヤマダ', first_name: 'タロウ', company: co.id, phone: '03-5708-7760' });
    const b = await create('contact', { last_name: 'ﾔﾏﾀﾞ', first_name: 'ﾀﾛｳ', company: co.id });
    const c = await create('contact', { last_name: 'やまだ', first_name: 'たろう', company: co.id, phone: '０３－５７０８－７７６０' });
    // Another person (their reading tells: a kanji name alone cannot be held against a kana one).
    const d = await create('contact', { last_name: '別人', last_name_kana: 'ベツジン', phone: '+81 3 5708 7760' });
    const r = await k.call('GET', `/api/plugins/dedupe/duplicates/contact/${a.id}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const by = Object.fromEntries(r.body.data.map((x: { id: string; rules: string[]; score: number }) => [x.id, x]));
    // Name alone at the same company: possible; name and phone: likely; a phone alone: nothing.
    expect(by[b.id]).toMatchObject({ level: 'possible', display: 'ﾔﾏﾀﾞ ﾀﾛｳ' });
    expect(by[b.id].rules).toContain('name_company');
    expect(by[c.id]).toMatchObject({ level: 'likely', rules: expect.arrayContaining(['phone', 'name_company']) });
    expect(by[d.id]?.level ?? null).not.toBe('likely');
    expect(by[c.id].score).toBeGreaterThan(by[b.id].score);
    expect(r.body.data[0].id).toBe(c.id);

    const t1 = await create('contact', { last_name: '髙橋', first_name: '誠', company: co.id });
    const t2 = await create('contact', { last_name: '高橋', first_name: '誠', company: co.id });
    expect(ids(await k.call('GET', `/api/plugins/dedupe/duplicates/contact/${t2.id}`))).toEqual([t1.id]);
    expect(ids(await k.call('GET', `/api/plugins/dedupe/duplicates/contact/${t1.id}`))).toEqual([t2.id]);
    expect((await k.call('GET', `/api/plugins/dedupe/duplicates/contact/00000000-0000-7000-8000-000000000000`)).status).toBe(404);
    expect((await k.call('GET', `/api/plugins/dedupe/duplicates/campaign/${a.id}`)).status).toBe(404);
  });

  it('finds companies with real Japanese names under any legal form, old kanji, and by website', async () => {
    const plain = orgs.filter((n) => /^[^冨鐵澤]{3,}$/.test(n)).slice(100, 103);
    const old = orgs.find((n) => /冨/.test(n))!;
    const made = [];
    for (const n of plain) made.push([await create('company', { name: `株式会社${n}` }), await create('company', { name: `${n}（株）` })]);
    const o1 = await create('company', { name: old });
    const o2 = await create('company', { name: `${old.replace(/冨/g, '富')}㈱` });
    for (const [x, y] of made) expect(ids(await k.call('GET', `/api/plugins/dedupe/duplicates/company/${x.id}`))).toContain(y.id);
    const r = await k.call('GET', `/api/plugins/dedupe/duplicates/company/${o2.id}`);
    expect(r.body.data.find((x: { id: string }) => x.id === o1.id)?.rules).toEqual(['name']);
    const w1 = await create('company', { name: 'Acme Widgets, Inc.', website: 'https://www.acme-widgets.example/' });
    const w2 = await create('company', { name: 'ACME WIDGETS CO., LTD.', website: 'http://acme-widgets.example' });
    const w = await k.call('GET', `/api/plugins/dedupe/duplicates/company/${w1.id}`);
    expect(w.body.data.find((x: { id: string }) => x.id === w2.id)?.rules).toEqual(['name', 'website']);
    const scan = await k.call('POST', '/api/plugins/dedupe/scan/company', { limit: 1000 });
    const groups = scan.body.groups.map((g: { ids: string[] }) => g.ids);
    expect(groups).toContainEqual([o1.id, o2.id].sort());
    expect(groups).toContainEqual([w1.id, w2.id].sort());
  });

  async function mergeFixture(tag: string) {
    const master = await create('contact', { last_name: `統合${tag}`, email: `m.${tag}@example.jp`, title: null });
    const d1 = await create('contact', { last_name: `統合${tag}`, email: `d1.${tag}@example.jp`, title: '部長' });
    const d2 = await create('contact', { last_name: `統合${tag}`, phone: '090-1111-2222' });
    const case1 = await create('case', { subject: `件名${tag}`, contact: d1.id });
    const case2 = await create('case', { subject: `件名${tag} 2`, contact: d2.id });
    const msg = await create('message', { subject: `連絡${tag}`, contact: d2.id });
    const co = await create('company', { name: `主担当${tag}`, primary_contact: d1.id });
    return { master, d1, d2, case1, case2, msg, co };
  }
  const get = async (object: string, id: string) => (await k.call('GET', `/api/records/${object}/${id}`)).body;

  it('merges duplicates into the master: relations repointed, chosen values, duplicates in the trash, on the timeline', async () => {
    const f = await mergeFixture('A');
    const r = await k.call('POST', '/api/plugins/dedupe/merge/contact', {
      master: f.master.id,
      duplicates: [f.d1.id, f.d2.id],
      fields: { email: f.d1.id },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.repointed).toEqual(
      expect.arrayContaining([
        { object: 'case', field: 'contact', count: 2 },
        { object: 'message', field: 'contact', count: 1 },
        { object: 'company', field: 'primary_contact', count: 1 },
      ]),
    );
    expect((await get('case', f.case1.id)).contact).toBe(f.master.id);
    expect((await get('case', f.case2.id)).contact).toBe(f.master.id);
    expect((await get('message', f.msg.id)).contact).toBe(f.master.id);
    expect((await get('company', f.co.id)).primary_contact).toBe(f.master.id);
    const m = await get('contact', f.master.id);
    // Chosen: d1's email (moved although unique-looking); empty on the master: filled from the duplicates.
    expect(m).toMatchObject({ email: 'd1.A@example.jp', title: '部長', phone: '090-1111-2222', dedupe_merged_from: [f.d1.id, f.d2.id] });
    expect(r.body.taken).toMatchObject({ email: f.d1.id, title: f.d1.id, phone: f.d2.id });
    expect((await k.call('GET', `/api/records/contact/${f.d1.id}`)).status).toBe(404);
    expect(
      ids(
        await k.call(
          'GET',
          `/api/records/contact?trashed=true&filter=${encodeURIComponent(JSON.stringify({ id: { in: [f.d1.id, f.d2.id] } }))}`,
        ),
      ).sort(),
    ).toEqual([f.d1.id, f.d2.id].sort());
    const tl = (await k.call('GET', `/api/records/contact/${f.master.id}/timeline`)).body.data;
    expect(tl[0]).toMatchObject({
      action: 'update',
      changes: { dedupe_merged_from: { from: null, to: [f.d1.id, f.d2.id] }, email: { from: 'm.A@example.jp', to: 'd1.A@example.jp' } },
    });
    // The duplicates keep their own history, ending with the trash.
    const dtl = (await k.call('GET', `/api/records/contact/${f.d1.id}/timeline`)).body.data;
    expect(dtl.map((e: { action: string }) => e.action)).toEqual(['delete', 'create']);
  });

  it('merges all or nothing: a refusal midway leaves every record as it was', async () => {
    const f = await mergeFixture('B');
    await k.call('POST', '/api/roles', {
      name: 'merger_without_messages',
      label: { en: 'M', ja: 'M' },
      objects: {
        '*': { read: 'all', create: 'none', update: 'none', delete: 'none' },
        contact: { read: 'all', create: 'all', update: 'all', delete: 'all' },
        case: { read: 'all', create: 'none', update: 'all', delete: 'none' },
        company: { read: 'all', create: 'none', update: 'all', delete: 'none' },
      },
    });
    const headers = await asUser('merger@example.jp', ['merger_without_messages']);
    const r = await k.call('POST', '/api/plugins/dedupe/merge/contact', { master: f.master.id, duplicates: [f.d1.id, f.d2.id] }, headers);
    expect(r.status).toBe(403);
    expect((await get('case', f.case1.id)).contact).toBe(f.d1.id);
    expect((await get('message', f.msg.id)).contact).toBe(f.d2.id);
    expect((await get('company', f.co.id)).primary_contact).toBe(f.d1.id);
    expect((await get('contact', f.d1.id)).id).toBe(f.d1.id);
    expect(await get('contact', f.master.id)).toMatchObject({
      version: f.master.version,
      email: 'm.B@example.jp',
      dedupe_merged_from: null,
    });
  });

  it('refuses a viewer, and bad requests with 422', async () => {
    const f = await mergeFixture('C');
    const viewer = await asUser('viewer.dedupe@example.jp', ['viewer']);
    const r = await k.call('POST', '/api/plugins/dedupe/merge/contact', { master: f.master.id, duplicates: [f.d1.id] }, viewer);
    expect(r.status).toBe(403);
    expect((await get('case', f.case1.id)).contact).toBe(f.d1.id);
    expect((await get('contact', f.d1.id)).id).toBe(f.d1.id);
    // A viewer may still look for duplicates (on the fields it can see: mobile is hidden from it).
    const x = await create('contact', { last_name: '閲覧', email: 'look@example.jp', mobile: '090-3333-4444' });
    const y = await create('contact', { last_name: '閲覧2', email: 'LOOK@example.jp', mobile: '090-3333-4444' });
    const look = await k.call('GET', `/api/plugins/dedupe/duplicates/contact/${x.id}`, undefined, viewer);
    expect(look.status, JSON.stringify(look.body)).toBe(200);
    expect(look.body.data).toEqual([expect.objectContaining({ id: y.id, rules: ['email'] })]);
    expect(look.body.data[0].record.mobile).toBeUndefined();
    expect((await k.call('GET', `/api/plugins/dedupe/duplicates/contact/${x.id}`)).body.data[0].rules).toEqual(['email', 'phone']);
    const bad = await k.call('POST', '/api/plugins/dedupe/merge/contact', {
      master: f.master.id,
      duplicates: [f.master.id],
      fields: { nope: f.d1.id, email: 'x' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['duplicates', 'fields.email', 'fields.nope']);
  });

  it('refuses a master or duplicate that is no record id with 422 naming it, not 404', async () => {
    const f = await mergeFixture('U');
    const r = await k.call('POST', '/api/plugins/dedupe/merge/contact', { master: 'not-a-uuid', duplicates: [f.d1.id] });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'master' })]);
    const d = await k.call('POST', '/api/plugins/dedupe/merge/contact', { master: f.master.id, duplicates: ['123'] });
    expect(d.status, JSON.stringify(d.body)).toBe(422);
    expect(d.body.errors).toEqual([expect.objectContaining({ field: 'duplicates.0' })]);
    expect((await get('contact', f.d1.id)).id).toBe(f.d1.id);
  });

  it('takes rules for any object from its settings', async () => {
    expect((await k.call('GET', `/api/plugins/dedupe/duplicates/campaign/00000000-0000-7000-8000-000000000000`)).status).toBe(404);
    const settings = { objects: { campaign: { rules: [{ name: 'same_name', kind: 'exact', fields: ['name'], score: 0.97 }] } } };
    expect((await k.call('PUT', '/api/plugins/dedupe/settings', settings)).status).toBe(200);
    const a = await create('campaign', { name: '春のキャンペーン' });
    const b = await create('campaign', { name: '春のｷｬﾝﾍﾟｰﾝ' });
    await create('campaign', { name: '夏のキャンペーン' });
    const r = await k.call('GET', `/api/plugins/dedupe/duplicates/campaign/${a.id}`);
    expect(r.body.data).toEqual([expect.objectContaining({ id: b.id, rules: ['same_name'], score: 0.97, level: 'likely' })]);
    // Contacts keep their defaults when the settings do not name them.
    expect(
      (await k.call('GET', `/api/plugins/dedupe/duplicates/contact/${(await create('contact', { last_name: '既定' })).id}`)).body.rules,
    ).toContain('email');
    expect((await k.call('POST', '/api/plugins/dedupe/merge/campaign', '{"master":')).status).toBe(400);
    expect(
      (
        await k.call('PUT', '/api/plugins/dedupe/settings', {
          objects: { campaign: { rules: [{ name: 'x', kind: 'fuzzy', fields: ['name'] }] } },
        })
      ).status,
    ).toBe(422);
  });

  it('lets a user with read-only fields merge: empty fields it may not write stay empty', async () => {
    const f = await mergeFixture('D');
    const owner = (await k.call('GET', '/api/auth/me')).body.user.id;
    await k.call('PATCH', `/api/records/contact/${f.d1.id}`, { owner });
    await k.call('POST', '/api/roles', {
      name: 'merger_owner_read_only',
      label: { en: 'M', ja: 'M' },
      objects: {
        '*': { read: 'all', create: 'all', update: 'all', delete: 'all' },
        contact: { read: 'all', create: 'all', update: 'all', delete: 'all', fields: { owner: 'read' } },
      },
    });
    const support = await asUser('owner.ro@example.jp', ['merger_owner_read_only']);
    const r = await k.call('POST', '/api/plugins/dedupe/merge/contact', { master: f.master.id, duplicates: [f.d1.id] }, support);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.taken.title).toBe(f.d1.id);
    expect(r.body.taken.owner).toBeUndefined();
    expect(await get('contact', f.master.id)).toMatchObject({ title: '部長', owner: null });
    // Choosing a field one may not write is refused, whole.
    const f2 = await mergeFixture('E');
    await k.call('PATCH', `/api/records/contact/${f2.d1.id}`, { owner });
    const refused = await k.call(
      'POST',
      '/api/plugins/dedupe/merge/contact',
      { master: f2.master.id, duplicates: [f2.d1.id], fields: { owner: f2.d1.id } },
      support,
    );
    expect(refused.status).toBe(403);
    expect((await get('case', f2.case1.id)).contact).toBe(f2.d1.id);
  });
});
