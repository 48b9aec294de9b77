// Country fields (issue 13): ISO codes and country names in English and Japanese (and German)
// are stored as the alpha-2 code on every write path — create, update, bulk, upsert, import —
// and a name that is no country is a 422 naming the field.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { readFixture } from '../testing/fixtures.ts';
import { finished, upload } from '../testing/imports.ts';
import { installStandardObjects } from '../metadata/index.ts';

const WRITTEN: [string, string][] = [
  ['JP', 'JP'],
  ['jp ', 'JP'],
  ['JPN', 'JP'],
  ['Japan', 'JP'],
  ['日本', 'JP'],
  ['日本国', 'JP'],
  ['ＪＰ', 'JP'],
  ['us', 'US'],
  ['USA', 'US'],
  ['United States', 'US'],
  ['U.S.', 'US'],
  ['アメリカ合衆国', 'US'],
  ['U.K.', 'GB'],
  ['United Kingdom', 'GB'],
  ['イギリス', 'GB'],
  ['Deutschland', 'DE'],
  ['ドイツ', 'DE'],
  ['大韓民国', 'KR'],
];

describe.each(databases)('country fields on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
  }, 60_000);
  afterAll(async () => k?.close());

  it.each(WRITTEN)('stores %j as %s on create and update', async (written, code) => {
    const made = await k.call('POST', '/api/records/contact', { last_name: 'Country', country: written });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.country).toBe(code);
    const changed = await k.call('PATCH', `/api/records/contact/${made.body.id}`, { country: written });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.country).toBe(code);
  });

  it('refuses a name that is no country with 422 naming the field, on create, update and bulk', async () => {
    for (const bad of ['Narnia', 'XX', 'J', '日']) {
      const res = await k.call('POST', '/api/records/company', { name: 'Nowhere', country: bad });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'country', message: expect.stringMatching(/^must be a country/) }),
      ]);
    }
    const ok = (await k.call('POST', '/api/records/company', { name: 'Somewhere', country: 'Japan' })).body;
    expect((await k.call('PATCH', `/api/records/company/${ok.id}`, { country: 'Atlantis' })).status).toBe(422);
    const bulk = await k.call('POST', '/api/records/company/bulk', { records: [{ name: 'B1', country: 'Atlantis' }] });
    expect(JSON.stringify(bulk.body)).toMatch(/country/);
    expect(bulk.status).toBeGreaterThanOrEqual(400);
  });

  it('reads names in bulk creates and upserts, and in filters', async () => {
    const bulk = await k.call('POST', '/api/records/company/bulk', {
      records: [
        { name: 'Bulk DE', country: 'Deutschland' },
        { name: 'Bulk GB', country: 'U.K.' },
      ],
    });
    expect(bulk.status, JSON.stringify(bulk.body)).toBeLessThan(300);
    const upsert = await k.call('POST', '/api/records/company/bulk', {
      records: [{ name: 'Bulk DE', country: '日本国' }],
      upsert_on: 'name',
    });
    expect(upsert.status, JSON.stringify(upsert.body)).toBeLessThan(300);
    const filter = encodeURIComponent(JSON.stringify({ country: 'Japan', name: 'Bulk DE' }));
    expect((await k.call('GET', `/api/records/company?filter=${filter}`)).body.data).toEqual([
      expect.objectContaining({ name: 'Bulk DE', country: 'JP' }),
    ]);
  });

  it('reads a filter value as writes read it: codes and names match, a name that is no country is a 400 naming the path', async () => {
    const jp = (await k.call('POST', '/api/records/company', { name: 'Filter JP', country: 'JP' })).body;
    const us = (await k.call('POST', '/api/records/company', { name: 'Filter US', country: 'US' })).body;
    const q = async (f: unknown) => k.call('GET', `/api/records/company?limit=500&filter=${encodeURIComponent(JSON.stringify(f))}`);
    const ids = async (f: unknown) => ((await q(f)).body.data as { id: string }[]).map((r) => r.id);
    for (const written of ['JP', 'Japan', '日本']) {
      expect(await ids({ country: written, name: 'Filter JP' })).toEqual([jp.id]);
      expect(await ids({ country: { in: [written, 'USA'] }, name: { in: ['Filter JP', 'Filter US'] } })).toEqual(
        expect.arrayContaining([jp.id, us.id]),
      );
      expect(await ids({ country: { nin: [written] }, name: { in: ['Filter JP', 'Filter US'] } })).toEqual([us.id]);
    }
    for (const [filter, path] of [
      [{ country: 'Narnia' }, 'country'],
      [{ country: { eq: 'Narnia' } }, 'country.eq'],
      [{ country: { in: ['JP', 'Narnia'] } }, 'country.in'],
      [{ country: { nin: ['Atlantis'] } }, 'country.nin'],
    ] as const) {
      const r = await q(filter);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors).toEqual([expect.objectContaining({ field: path, message: expect.stringMatching(/^must be a country/) })]);
    }
  });

  it('turns the country field of an earlier install (text of 2 characters) into a country field on start, keeping its label', async () => {
    await k.registry.change((specs) => {
      const spec = specs.get('company')!;
      specs.set('company', {
        ...spec,
        fields: spec.fields.map((f) =>
          f.name === 'country' ? { ...f, type: 'text' as const, max_length: 2, searchable: false, label: { en: 'Nation', ja: '国名' } } : f,
        ),
      });
    });
    expect((await k.call('POST', '/api/records/company', { name: 'Old', country: 'Japan' })).status).toBe(422);
    await installStandardObjects(k.registry);
    const field = k.registry.get('company').fields.get('country')!.spec;
    expect(field).toMatchObject({ type: 'country', label: { en: 'Nation', ja: '国名' } });
    expect(field.max_length).toBeUndefined();
    expect((await k.call('POST', '/api/records/company', { name: 'Old', country: 'Japan' })).body.country).toBe('JP');
  });

  it('imports every country of the 500-contact file as its code (Japan, 日本国, USA, U.K., Deutschland, jp …)', async () => {
    const file = readFixture('csv/contacts-500-utf8.csv');
    const source = parse(file, { columns: true, bom: true, record_delimiter: ['\r\n', '\n', '\r'] }) as Record<string, string>[];
    const up = await upload(k, file, 'object=contact&filename=contacts-500-utf8.csv');
    expect(up.body.suggested_mapping.country).toBe('country');
    const mapping = { ...up.body.suggested_mapping, company: null };
    await k.call('POST', `/api/imports/${up.body.id}/start`, { mapping, mode: 'partial' });
    const done = await finished(k, up.body.id);
    expect(done.state).toBe('succeeded');
    const errors = await (
      await k.app.request(`/api/imports/${up.body.id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).text();
    expect(errors).not.toMatch(/country: /);
    // Every row that was written has the code its spelling in the file names.
    const SPELLINGS: Record<string, string> = {
      Japan: 'JP',
      日本国: 'JP',
      日本: 'JP',
      'jp ': 'JP',
      'U.K.': 'GB',
      'United States': 'US',
      USA: 'US',
      us: 'US',
      Deutschland: 'DE',
    };
    const codeOf = (written: string) => SPELLINGS[written] ?? written;
    const key = (email: string) => email.trim().toLowerCase();
    const once = source.filter((r) => source.filter((o) => key(o.email) === key(r.email)).length === 1);
    const expected = new Map(once.filter((r) => r.country.trim()).map((r) => [key(r.email), codeOf(r.country)]));
    let checked = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { data: { email: string; country: string | null }[]; page: { next_cursor: string | null } } } = await k.call(
        'GET',
        `/api/records/contact?fields=email,country&limit=200${cursor ? `&cursor=${cursor}` : ''}&filter=${encodeURIComponent(JSON.stringify({ email: { is_null: false } }))}`,
      );
      for (const r of page.body.data) {
        const written = expected.get(r.email.toLowerCase());
        if (written === undefined) continue;
        expect(r.country, r.email).toBe(written);
        checked++;
      }
      cursor = page.body.page.next_cursor;
    } while (cursor);
    expect(checked).toBeGreaterThan(400);
    expect(done.rows_failed).toBeLessThan(20);
  }, 120_000);
});
