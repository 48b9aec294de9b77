// CSV that Kizuna writes reads back as the same cells: the import error report and the export,
// whose cells may hold line breaks (LF, CR, CRLF), quotes, commas and Japanese text.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { finished, upload } from '../testing/imports.ts';

// Written by hand (RFC 4180 quoting), not by the code under test.
const SOURCE = [
  'last_name,notes,email',
  '"Line\nBreak","a\rb",bad-1',
  '"改行\r\nあり","quote ""x"", comma",bad-2',
  '"田中, ""太郎""","日本語\n二行目\r三行目",bad-3',
  'Fine,plain,fine@example.jp',
  '',
].join('\r\n');

// Spreadsheets, and Kizuna's own importer, end a record at any of the three line endings:
// csv-parse's default would take the first one it meets as the only one.
const READ = { bom: true, record_delimiter: ['\r\n', '\n', '\r'] };

const ORIGINAL = [
  ['Line\nBreak', 'a\rb', 'bad-1'],
  ['改行\r\nあり', 'quote "x", comma', 'bad-2'],
  ['田中, "太郎"', '日本語\n二行目\r三行目', 'bad-3'],
];

describe.each(databases)('CSV round trips on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
  }, 60_000);
  afterAll(async () => k?.close());

  const get = (path: string) => k.app.request(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

  it('writes an error report whose cells with line breaks, quotes, commas and Japanese parse back as the file had them', async () => {
    const up = await upload(k, SOURCE);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    await k.call('POST', `/api/imports/${up.body.id}/start`, {
      mode: 'partial',
      mapping: { last_name: 'last_name', notes: 'notes', email: 'email' },
    });
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'succeeded', created: 1, rows_failed: 3 });
    const report = await (await get(`/api/imports/${up.body.id}/errors`)).text();
    const rows: string[][] = parse(report, READ);
    expect(rows[0]).toEqual(['row', 'last_name', 'notes', 'email', 'reason']);
    expect(rows.slice(1).map((r) => r.slice(1, 4))).toEqual(ORIGINAL);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['1', '2', '3']);
    expect(rows.slice(1).every((r) => /^email: /.test(r[4]))).toBe(true);
    // And the report imports again as the same cells.
    const again = await upload(k, report, 'object=contact&filename=errors.csv');
    expect(again.body.columns).toEqual(['row', 'last_name', 'notes', 'email', 'reason']);
    const preview = (await k.call('GET', `/api/imports/${again.body.id}/preview`)).body;
    expect(preview.rows.map((r: { cells: string[] }) => r.cells.slice(1, 4))).toEqual(ORIGINAL);
  });

  it('exports cells with line breaks, quotes, commas and Japanese so they parse back as stored', async () => {
    const ids: string[] = [];
    for (const [last_name, notes] of ORIGINAL) {
      const made = await k.call('POST', '/api/records/contact', { last_name: last_name.replace(/\s+/g, ' '), notes });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      ids.push(made.body.id);
    }
    const filter = encodeURIComponent(JSON.stringify({ id: { in: ids } }));
    const csv = await (await get(`/api/records/contact/export?header=api&fields=last_name,notes&filter=${filter}&sort=created_at`)).text();
    const rows: string[][] = parse(csv, READ);
    expect(rows[0]).toEqual(['id', 'last_name', 'notes', 'created_at', 'updated_at']);
    expect(rows.slice(1).map((r) => r[2])).toEqual(ORIGINAL.map((o) => o[1]));
    expect(rows.slice(1).map((r) => r[0])).toEqual(ids);
  });
});
