// Import and export cell by cell: how spreadsheet text becomes field values (dates, Excel
// cells, names, phones, U+0000, line endings, header suggestions) and how values go out again,
// through the HTTP API on PGlite and (with DATABASE_URL) PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { count, finished, upload } from '../testing/imports.ts';

describe.each(databases)('import cells on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
  }, 60_000);
  afterAll(async () => k?.close());

  it('upserts on a phone field however the number is written (E.164, as the dedupe plugin compares phones)', async () => {
    const office = (await k.call('POST', '/api/records/contact', { last_name: 'Phone A', phone: '03-5555-0101' })).body;
    const abroad = (await k.call('POST', '/api/records/contact', { last_name: 'Phone B', phone: '+1 415-555-0199' })).body;
    const up = await upload(k, 'last_name,phone\nPhone A2,+81 3 5555 0101\nPhone B2,+14155550199\nPhone C,０３（５５５５）０１０２\n');
    await k.call('POST', `/api/imports/${up.body.id}/start`, {
      mode: 'partial',
      mapping: { last_name: 'last_name', phone: 'phone' },
      upsert_on: 'phone',
    });
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'succeeded', updated: 2, created: 1, rows_failed: 0 });
    expect((await k.call('GET', `/api/records/contact/${office.id}`)).body).toMatchObject({
      last_name: 'Phone A2',
      phone: '+81 3 5555 0101',
      version: 2,
    });
    expect((await k.call('GET', `/api/records/contact/${abroad.id}`)).body).toMatchObject({ last_name: 'Phone B2', version: 2 });
    // The single-record upsert of the bulk API matches the same way.
    const bulk = await k.call('POST', '/api/records/contact/bulk', {
      records: [{ last_name: 'Phone A3', phone: '0355550101' }],
      upsert_on: 'phone',
    });
    expect(bulk.status, JSON.stringify(bulk.body)).toBeLessThan(300);
    expect((await k.call('GET', `/api/records/contact/${office.id}`)).body).toMatchObject({ last_name: 'Phone A3', version: 3 });
  });

  it('imports the rows around a cell holding U+0000 and reports that row (partial mode)', async () => {
    const before = await count(k);
    const up = await upload(k, 'last_name,email,no\u0000te\nNul\u0000Row,nul1@example.jp,x\nClean Row,nul2@example.jp,y\n');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.columns).toEqual(['last_name', 'email', 'no\ufffdte']);
    await k.call('POST', `/api/imports/${up.body.id}/start`, {
      mode: 'partial',
      mapping: { last_name: 'last_name', email: 'email', 'no\ufffdte': null },
    });
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'succeeded', created: 1, rows_failed: 1, error: null });
    expect(await count(k)).toBe(before + 1);
    const report = await (
      await k.app.request(`/api/imports/${up.body.id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).text();
    expect(report).toContain('1,Nul\ufffdRow,nul1@example.jp,x,last_name: must not contain NUL characters');
  });

  it('reads a file whose line endings are mixed (CRLF, LF and CR) row by row', async () => {
    const up = await upload(k, 'last_name,email\r\nMixed A,mx1@example.jp\nMixed B,mx2@example.jp\rMixed C,mx3@example.jp\r\n');
    const preview = (await k.call('GET', `/api/imports/${up.body.id}/preview`)).body;
    expect(preview.rows.map((r: { cells: string[] }) => r.cells)).toEqual([
      ['Mixed A', 'mx1@example.jp'],
      ['Mixed B', 'mx2@example.jp'],
      ['Mixed C', 'mx3@example.jp'],
    ]);
  });

  it('exports json fields as JSON, so they import back as the same values', async () => {
    await k.call('POST', '/api/meta/objects', {
      name: 'payload',
      label: { en: 'Payload', ja: 'ペイロード' },
      plural: 'payloads',
      fields: [
        { name: 'tag', type: 'text', label: { en: 'Tag', ja: 'タグ' } },
        { name: 'data', type: 'json', label: { en: 'Data', ja: 'データ' } },
      ],
    });
    const values = [[1, 2, 3], [{ a: 1 }], ['a;b', 'c'], '123', 'true', { nested: { x: 'y, "z"' } }];
    for (const [i, data] of values.entries())
      expect((await k.call('POST', '/api/records/payload', { tag: `p${i}`, data })).status).toBe(201);
    const csv = await (
      await k.app.request('/api/records/payload/export?format=csv&header=api&fields=tag,data&sort=tag', {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    ).text();
    const back = await upload(k, csv.replace(/^\ufeff/, '').replaceAll(',p', ',q'), 'object=payload&filename=payload.csv');
    await k.call('POST', `/api/imports/${back.body.id}/start`, {
      mode: 'partial',
      mapping: { id: null, tag: 'tag', data: 'data', created_at: null, updated_at: null },
    });
    expect(await finished(k, back.body.id)).toMatchObject({ state: 'succeeded', created: values.length, rows_failed: 0 });
    const got = (
      await k.call(
        'GET',
        `/api/records/payload?filter=${encodeURIComponent(JSON.stringify({ tag: { starts_with: 'q' } }))}&sort=tag&fields=tag,data`,
      )
    ).body.data;
    expect(got.map((r: { data: unknown }) => r.data)).toEqual(values);
  });

  it('matches company names exactly as written, and fails a name several companies share', async () => {
    const nikko = (await k.call('POST', '/api/records/company', { name: '日本商事㈱' })).body;
    await k.call('POST', '/api/records/company', { name: 'Dup商事' });
    await k.call('POST', '/api/records/company', { name: 'Dup商事' });
    const companies = async () => (await k.call('GET', '/api/records/company?count=true&limit=1')).body.page.total;
    const before = await companies();
    const up = await upload(k, 'last_name,company\nExact,日本商事㈱\nShared,Dup商事\nNew,新規㈲\n');
    await k.call('POST', `/api/imports/${up.body.id}/start`, {
      mode: 'partial',
      mapping: { last_name: 'last_name', company: 'company' },
      create_missing: ['company'],
    });
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'succeeded', created: 2, rows_failed: 1 });
    const report = await (
      await k.app.request(`/api/imports/${up.body.id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).text();
    expect(report).toContain('2,Shared,Dup商事,"company: several company records are named ""Dup商事""');
    const exact = (await k.call('GET', `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ last_name: 'Exact' }))}`)).body
      .data[0];
    expect(exact.company).toBe(nikko.id);
    // The one missing company is created once, spelled as the file spells it.
    expect(await companies()).toBe(before + 1);
    const made = (await k.call('GET', `/api/records/company?filter=${encodeURIComponent(JSON.stringify({ name: '新規㈲' }))}`)).body.data;
    expect(made).toHaveLength(1);
  });

  it('suggests fields for the headers of typical Japanese CRM exports', async () => {
    const contact = await upload(
      k,
      '氏名,フリガナ,会社名,役職名,メールアドレス,電話番号,携帯番号,郵便番号（〒）,住所,備考欄\nA,B,C,D,a@example.jp,1,2,3,4,5\n',
    );
    expect(contact.body.suggested_mapping).toEqual({
      氏名: '$full_name',
      フリガナ: '$full_name_kana',
      会社名: 'company',
      役職名: 'title',
      メールアドレス: 'email',
      電話番号: 'phone',
      携帯番号: 'mobile',
      '郵便番号（〒）': 'postal_code',
      住所: 'street',
      備考欄: 'notes',
    });
    const company = await upload(
      k,
      '社名,フリガナ,ホームページ,代表電話,年商\nA,B,https://example.jp,1,2\n',
      'object=company&filename=c.csv',
    );
    expect(company.body.suggested_mapping).toEqual({
      社名: 'name',
      フリガナ: 'name_kana',
      ホームページ: 'website',
      代表電話: 'phone',
      年商: 'annual_revenue',
    });
  });

  it('stops at a record over the size limit, keeping the rows before it in partial mode', async () => {
    const before = await count(k);
    const rows = Array.from({ length: 30 }, (_, i) => `Long${i},long${i}@example.jp`);
    const up = await upload(k, `last_name,email\n${rows.join('\n')}\nHuge,"${'x'.repeat(1_100_000)}"\nAfter,after@example.jp\n`);
    expect(up.status, up.body.detail).toBe(201);
    await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', mapping: { last_name: 'last_name', email: 'email' } });
    const done = await finished(k, up.body.id);
    expect(done).toMatchObject({ state: 'failed', created: 30 });
    expect(done.error).toMatch(/line 32/);
    expect(await count(k)).toBe(before + 30);
  });

  it('reads Excel date-times as the wall clock of utc_offset, and formulas by their saved result', async () => {
    await k.call('POST', '/api/meta/objects', {
      name: 'meeting',
      label: { en: 'Meeting', ja: '会議' },
      plural: 'meetings',
      fields: [
        { name: 'title', type: 'text', label: { en: 'Title', ja: '件名' } },
        { name: 'starts', type: 'datetime', label: { en: 'Starts', ja: '開始' } },
      ],
    });
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('m');
    ws.addRow(['title', 'starts']);
    ws.addRow(['typed cell', new Date(Date.UTC(2026, 0, 5, 9, 30))]).getCell(2).numFmt = 'yyyy/mm/dd hh:mm';
    ws.addRow(['typed text', '2026/1/5 9:30']);
    ws.addRow([{ formula: 'UPPER("abc")' } as never, { formula: 'NOW()', result: 46027.395833333336 } as never]).getCell(2).numFmt =
      'yyyy/mm/dd hh:mm';
    const up = await upload(k, Buffer.from(await wb.xlsx.writeBuffer()), 'object=meeting&filename=m.xlsx');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    await k.call('POST', `/api/imports/${up.body.id}/start`, {
      mode: 'partial',
      mapping: { title: 'title', starts: 'starts' },
      utc_offset: '+09:00',
    });
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'succeeded', created: 3, rows_failed: 0 });
    const got = (await k.call('GET', '/api/records/meeting?sort=created_at&fields=title,starts')).body.data.map(
      (m: { title: string | null; starts: string }) => [m.title, m.starts],
    );
    expect(got).toEqual([
      ['typed cell', '2026-01-05T00:30:00.000Z'],
      ['typed text', '2026-01-05T00:30:00.000Z'],
      [null, '2026-01-05T00:30:00.000Z'],
    ]);
  });

  it('refuses an export parameter given twice and an encoding for xlsx', async () => {
    const twice = await k.app.request('/api/records/contact/export?format=csv&format=xlsx', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as any).errors[0]).toMatchObject({ field: 'format', message: 'is given more than once' });
    const xlsx = await k.app.request('/api/records/contact/export?format=xlsx&encoding=shift_jis', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(xlsx.status).toBe(400);
    expect(((await xlsx.json()) as any).errors[0].field).toBe('encoding');
  });
});
