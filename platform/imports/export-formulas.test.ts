// Exports neutralize text a spreadsheet would run as a formula (OWASP CSV injection) with a
// leading ', in CSV and xlsx, and leave numbers, phones and dates as they are;
// ?escape_formulas=false writes every cell as stored.
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { upload } from '../testing/imports.ts';

const TEXT = [
  '=HYPERLINK("http://evil.example","x")',
  '+SUM(1,2)',
  '-2+3',
  '@SUM(A1)',
  '\tTabbed',
  '\rCarriage',
  '＝1+1',
  'Plain',
  '-5',
  "'quoted already",
];
const ESCAPED = [
  '\'=HYPERLINK("http://evil.example","x")',
  "'+SUM(1,2)",
  "'-2+3",
  "'@SUM(A1)",
  "'\tTabbed",
  "'\rCarriage",
  "'＝1+1",
  'Plain',
  '-5',
  "'quoted already",
];

describe.each(databases)('formula cells in exports on %s', (kind) => {
  let k: TestKizuna;
  const filter = encodeURIComponent(JSON.stringify({ first_name: 'Formula' }));
  beforeAll(async () => {
    k = await startKizuna(kind);
    for (const [i, last_name] of TEXT.entries()) {
      const made = await k.call('POST', '/api/records/company', {
        name: `F${i}`,
        phone: i % 2 ? '+81 3 5555 0101' : '-0120-000-000',
        annual_revenue: { amount: '-100', currency: 'JPY' },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const c = await k.call('POST', '/api/records/contact', {
        last_name,
        first_name: 'Formula',
        notes: last_name,
        phone: '+81 3 5555 0101',
        company: made.body.id,
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
    }
  }, 60_000);
  afterAll(async () => k?.close());

  const get = (path: string) => k.app.request(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const csvRows = async (query: string) => {
    const res = await get(`/api/records/contact/export?header=api&fields=last_name,notes,phone&sort=created_at&filter=${filter}${query}`);
    expect(res.status).toBe(200);
    return (parse(await res.text(), { bom: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][]).slice(1);
  };

  it("prefixes text cells that start like a formula with ' in CSV, leaving phones as they are", async () => {
    const rows = await csvRows('');
    expect(rows.map((r) => r[1])).toEqual(ESCAPED);
    expect(rows.map((r) => r[2])).toEqual(ESCAPED);
    expect(new Set(rows.map((r) => r[3]))).toEqual(new Set(['+81 3 5555 0101']));
  });

  it('writes every cell as stored with escape_formulas=false, and refuses another value with 400 naming it', async () => {
    expect((await csvRows('&escape_formulas=false')).map((r) => r[1])).toEqual(TEXT);
    const bad = await get('/api/records/contact/export?escape_formulas=no');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('escape_formulas');
  });

  it('keeps negative amounts and phones starting with + or - in a company export', async () => {
    const res = await get(
      '/api/records/company/export?header=api&fields=name,phone,annual_revenue&sort=name&filter=' +
        encodeURIComponent(JSON.stringify({ name: { starts_with: 'F' } })),
    );
    const rows = (parse(await res.text(), { bom: true }) as string[][]).slice(1);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['+81 3 5555 0101', '-0120-000-000']));
    expect(new Set(rows.map((r) => r[3]))).toEqual(new Set(['-100 JPY']));
  });

  it('prefixes the same cells in xlsx, where they are strings, and numbers stay numbers', async () => {
    const res = await get(`/api/records/contact/export?format=xlsx&header=api&fields=last_name,phone&sort=created_at&filter=${filter}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.read(Readable.from(Buffer.from(await res.arrayBuffer())));
    const values = wb.worksheets[0].getSheetValues().slice(2) as unknown[][];
    // XML reads a raw CR as LF (exceljs writes it unescaped): compare line breaks as LF.
    const lf = (cells: string[]) => cells.map((c) => c.replaceAll('\r', '\n'));
    expect(values.map((r) => r[2])).toEqual(lf(ESCAPED));
    expect(new Set(values.map((r) => r[3]))).toEqual(new Set(['+81 3 5555 0101']));
    const plain = await get(
      `/api/records/contact/export?format=xlsx&escape_formulas=false&header=api&fields=last_name&sort=created_at&filter=${filter}`,
    );
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.read(Readable.from(Buffer.from(await plain.arrayBuffer())));
    expect((wb2.worksheets[0].getSheetValues().slice(2) as unknown[][]).map((r) => r[2])).toEqual(lf(TEXT));
  });

  it("imports an escaped export back with the ' kept (the file does not say it was escaped)", async () => {
    const res = await get(`/api/records/contact/export?header=api&fields=last_name&sort=created_at&filter=${filter}`);
    const up = await upload(k, await res.text(), 'object=contact&filename=back.csv');
    const preview = (
      await k.call(
        'GET',
        `/api/imports/${up.body.id}/preview?mapping=${encodeURIComponent(JSON.stringify({ id: null, last_name: 'last_name', created_at: null, updated_at: null }))}`,
      )
    ).body;
    expect(preview.rows[0].values.last_name).toBe(ESCAPED[0]);
  });
});
