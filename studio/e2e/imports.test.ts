// The import wizard and list export in chromium against a real server: a Shift_JIS CSV with
// Japanese headers (built from test/fixtures' messy contacts) goes through upload, mapping
// suggestions, a preview showing a bad row's error at its cell, a partial import to the end,
// the error report; then the list is exported and the file read back. A viewer sees Export
// but not Import.
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, root, screenshots, shot, signIn, startStudio, type Studio } from './harness.ts';

const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/;
const HEADER = ['氏名', 'フリガナ', 'メールアドレス', '電話番号', '会社名', '役職', '市区町村', '社内メモ欄'];
// 200 rows (~15 KB): enough text for the server's statistical Shift_JIS detection, which
// takes a file of a few KB that is mostly Latin for ISO-8859-2 (see the report of issue 8).
const ROWS = 200;
const BAD_ROW = 2;

/** 200 contacts from the messy fixture file, as a Japanese Excel export would hold them. */
async function sjisCsv(): Promise<{ bytes: Buffer; rows: string[][] }> {
  const text = await readFile(join(root, 'test/fixtures/csv/contacts-500-utf8.csv'), 'utf8');
  const records = (parse(text, { columns: true, bom: true }) as Record<string, string>[]).slice(0, ROWS);
  const rows = records.map((r, i) => [
    JAPANESE.test(r.last_name) ? `${r.last_name}\u3000${r.first_name}` : `${r.first_name} ${r.last_name}`.trim(),
    [r.last_name_kana, r.first_name_kana].filter(Boolean).join(' '),
    i + 1 === BAD_ROW ? 'not-an-email' : r.email,
    r.phone,
    r.company,
    r.title,
    r.city,
    'メモ',
  ]);
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const csv = [HEADER, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  return { bytes: iconv.encode(csv, 'cp932'), rows };
}

const saved = async (d: Download) => readFile((await d.path())!);

describe('studio import wizard and export in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];
  let file: { bytes: Buffer; rows: string[][] };
  let importId: string;
  let exported: { bytes: Buffer; email: string };

  beforeAll(async () => {
    s = await startStudio();
    file = await sjisCsv();
    await s.kizuna.call('POST', '/api/users', {
      email: 'viewer@example.jp',
      name: '閲覧 花子',
      password: 'viewer-password-1',
      roles: ['viewer'],
    });
    ({ page, errors } = await s.newPage());
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  it('uploads a Shift_JIS file and shows what was detected', async () => {
    await page.goto(`${s.baseUrl}/o/contact`);
    await page.getByTestId('import-records').click();
    await page.getByRole('heading', { name: 'Import Contacts' }).waitFor();
    await shot(page, 'import-0-drop');
    await page.getByTestId('file-input').setInputFiles({ name: '顧客リスト.csv', mimeType: 'text/csv', buffer: file.bytes });
    await page.getByTestId('detected').waitFor();
    expect(await page.getByTestId('detected-encoding').textContent()).toBe('Shift_JIS (CP932)');
    expect(await page.getByTestId('detected-delimiter').textContent()).toContain('Comma');
    // The first rows decoded: Japanese names read as Japanese, not mojibake.
    const sample = await page.locator('[data-testid=detected] table.sample').textContent();
    expect(sample).toContain('メールアドレス');
    expect(sample).toContain(file.rows[0][2]);
    const japanese = file.rows.slice(0, 5).find((r) => JAPANESE.test(r[0]))![0];
    expect(sample).toContain(japanese);

    // Read again with another delimiter: the rows become one column; back to automatic, right again.
    await page.getByTestId('delimiter-select').selectOption('tab');
    await page.getByTestId('redetect').click();
    await expect.poll(() => page.getByTestId('detected-delimiter').textContent()).toBe('Tab');
    expect(await page.locator('[data-testid=detected] table.sample thead th').count()).toBe(1);
    await page.getByTestId('delimiter-select').selectOption('');
    await page.getByTestId('redetect').click();
    await expect.poll(() => page.getByTestId('detected-delimiter').textContent()).toContain('Comma');
    expect(await page.locator('[data-testid=detected] table.sample thead th').count()).toBe(HEADER.length);
    expect(await page.getByTestId('detected-encoding').textContent()).toBe('Shift_JIS (CP932)');
    // The uploads read again are deleted: one stored file remains.
    await expect.poll(async () => (await s.kizuna.call('GET', '/api/imports?object=contact')).body.data.length).toBe(1);
    await shot(page, 'import-1-upload');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('suggests a mapping from the Japanese headers and lets a column be skipped', async () => {
    // The upload is in the address: a reload comes back to it, at the mapping.
    expect(new URL(page.url()).searchParams.get('upload')).toMatch(/^[0-9a-f-]{36}$/);
    await page.reload();
    await page.locator('[data-step=mapping][aria-current=step]').waitFor();
    const target = (column: string) => page.getByTestId(`map-${column}`).inputValue();
    await expect.poll(() => target('氏名')).toBe('$full_name');
    expect(await target('フリガナ')).toBe('$full_name_kana');
    expect(await target('メールアドレス')).toBe('email');
    expect(await target('電話番号')).toBe('phone');
    expect(await target('会社名')).toBe('company');
    expect(await target('役職')).toBe('title');
    expect(await target('市区町村')).toBe('city');
    expect(await target('社内メモ欄')).toBe('');
    expect(await page.locator('[data-column="氏名"] [data-testid=suggested]').count()).toBe(1);
    // A full name splits into last + first; the company is matched by name.
    expect(await page.locator('[data-column="氏名"] .target').textContent()).toContain('Split into Last Name and First Name');
    expect(await page.locator('[data-column="会社名"] .target').textContent()).toContain("Matched by the Company's");

    // Choosing a field twice is caught before the server is asked.
    await page.getByTestId('map-社内メモ欄').selectOption('title');
    expect(await page.locator('[data-column="社内メモ欄"] .field-error').textContent()).toBe('Chosen for two columns');
    expect(await page.getByTestId('to-preview').isDisabled()).toBe(true);
    await page.getByTestId('map-社内メモ欄').selectOption('');
    await expect.poll(() => page.getByTestId('mapped-count').textContent()).toBe('7 of 8 columns will be imported');

    await page.getByTestId('mode-partial').check();
    await page.getByTestId('create-missing-company').check();
    await page.screenshot({ path: join(screenshots, 'import-2-mapping.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("previews the first rows with the bad row's error at its cell", async () => {
    await page.getByTestId('to-preview').click();
    await page.getByTestId('preview').waitFor();
    const bad = page.locator(`[data-testid=preview] tr[data-row="${BAD_ROW}"] td[data-column="メールアドレス"]`);
    expect(await bad.getAttribute('class')).toContain('cell-error');
    expect(await bad.locator('.message').textContent()).toBe('must be a valid email address');
    // Row 1 is clean, and nothing was written by the preview.
    expect(await page.locator('[data-testid=preview] tr[data-row="1"] .cell-error').count()).toBe(0);
    expect((await s.kizuna.call('GET', '/api/records/contact?count=true&limit=1')).body.page.total).toBe(0);
    expect(await page.getByTestId('preview-bad').textContent()).toMatch(/^\d+ with errors$/);
    await page.screenshot({ path: join(screenshots, 'import-3-preview.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('runs the import in partial mode to the end and offers the error report', async () => {
    await page.getByTestId('start-import').click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    importId = page.url().split('/').pop()!;
    await expect.poll(() => page.getByTestId('progress').getAttribute('data-state'), { timeout: 30_000 }).toBe('succeeded');
    const num = async (id: string) => Number((await page.getByTestId(id).textContent())!.replace(/,/g, ''));
    const [read, written, failed] = [await num('rows-read'), await num('rows-written'), await num('rows-failed')];
    expect(read).toBe(ROWS);
    expect(written + failed).toBe(ROWS);
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid=progress] [role=progressbar]').getAttribute('aria-valuenow')).toBe('100');
    await shot(page, 'import-4-done');
    expect(await seriousViolations(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('error-report').click()]);
    const report = parse(iconv.decode(await saved(download), 'cp932'), { bom: true }) as string[][];
    expect(report[0]).toEqual(['row', ...HEADER, 'reason']);
    expect(report).toHaveLength(failed + 1);
    const badLine = report.find((r) => r[0] === String(BAD_ROW))!;
    expect(badLine[3]).toBe('not-an-email');
    expect(badLine.at(-1)).toMatch(/email/);

    // The records are there, split and matched: the list shows what was written.
    await page.getByTestId('view-records').click();
    await expect.poll(() => page.getByTestId('count').textContent()).toMatch(new RegExp(`of ${written}$`));
    const first = (
      await s.kizuna.call(
        'GET',
        `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ email: file.rows[0][2] }))}&include=company`,
      )
    ).body.data[0];
    expect(first).toMatchObject({ email: file.rows[0][2] });
    expect(first.company?.name).toBe(file.rows[0][4]);
  });

  it('comes back to a finished import by its address', async () => {
    await page.goto(`${s.baseUrl}/imports/${importId}`);
    await expect.poll(() => page.getByTestId('import-state').textContent()).toBe('Import finished');
    expect(await page.locator('[data-step=run]').getAttribute('aria-current')).toBe('step');
  });

  it('exports the list view as Shift_JIS CSV with Japanese headers, and an Excel file', async () => {
    await page.goto(`${s.baseUrl}/o/contact`);
    await expect.poll(() => page.getByTestId('count').textContent()).toMatch(/ of \d+$/);
    const total = Number((await page.getByTestId('count').textContent())!.split(' of ')[1]);
    const columns = await page
      .locator('[data-testid=records] thead th[data-column]')
      .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column')));

    await page.getByTestId('export-records').click();
    await page.getByTestId('export-dialog').waitFor();
    await page.getByLabel('Japanese labels').check();
    await page.getByLabel('Shift_JIS (older Japanese Excel)').check();
    await shot(page, 'export-dialog');
    expect(await seriousViolations(page)).toEqual([]);
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/\.csv$/);
    const table = parse(iconv.decode(await saved(csvDownload), 'cp932')) as string[][];
    const meta = (await s.kizuna.call('GET', '/api/meta/objects/contact')).body.properties;
    const jaLabels = columns.map((c) => meta[c!]['x-kizuna'].label.ja);
    expect(table[0]).toEqual(expect.arrayContaining(jaLabels));
    expect(table[0].indexOf(jaLabels[0])).toBeLessThan(table[0].indexOf(jaLabels[1]));
    expect(table).toHaveLength(total + 1);

    // The view's search narrows the export too.
    const email = file.rows[0][2];
    await page.getByRole('searchbox', { name: 'Search' }).fill(email);
    await expect.poll(() => page.getByTestId('count').textContent()).toBe('1 of 1');
    await page.getByTestId('export-records').click();
    await page.getByLabel('API names').check();
    await page.getByLabel('Excel (.xlsx)').check();
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    const bytes = await saved(xlsx);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const ExcelJS = (await import('exceljs')).default;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(1).values).toEqual(expect.arrayContaining(columns));
    expect(JSON.stringify(sheet.getRow(2).values)).toContain(email);
    exported = { bytes, email };
  });

  it('takes the exported Excel file back by drag and drop, updating by email instead of duplicating', async () => {
    const before = (await s.kizuna.call('GET', '/api/records/contact?count=true&limit=1')).body.page.total as number;
    await page.goto(`${s.baseUrl}/o/contact/import`);
    const dropped = await page.evaluateHandle(
      ({ b64, name }) => {
        const dt = new DataTransfer();
        dt.items.add(
          new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, {
            type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          }),
        );
        return dt;
      },
      { b64: exported.bytes.toString('base64'), name: 'contacts.xlsx' },
    );
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dropped });
    await expect.poll(() => page.getByTestId('detected-format').textContent()).toBe('Excel (.xlsx)');
    expect(await page.getByTestId('detected-encoding').count()).toBe(0);

    await page.getByTestId('to-mapping').click();
    await expect.poll(() => page.getByTestId('map-email').inputValue()).toBe('email');
    await page.getByTestId('upsert-email').check();
    await page.getByTestId('to-preview').click();
    await page.getByTestId('preview').waitFor();
    expect(await page.getByTestId('preview-bad').count()).toBe(0);
    await page.getByTestId('start-import').click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('progress').getAttribute('data-state'), { timeout: 30_000 }).toBe('succeeded');
    expect(await page.getByTestId('import-summary').textContent()).toMatch(/^0 created · [01] updated · [01] unchanged · 0 failed$/);
    expect((await s.kizuna.call('GET', '/api/records/contact?count=true&limit=1')).body.page.total).toBe(before);
    const status = (await s.kizuna.call('GET', `/api/imports/${page.url().split('/').pop()}`)).body;
    expect(status.options).toMatchObject({ upsert_on: ['email'], mode: 'all_or_nothing' });
    expect(status.updated + status.unchanged).toBe(1);
  });

  it('hides Import from a viewer, who may still export', async () => {
    const viewer = await s.newPage();
    await signIn(viewer.page, s.baseUrl, 'viewer@example.jp', 'viewer-password-1');
    await viewer.page.goto(`${s.baseUrl}/o/contact`);
    await viewer.page.getByTestId('export-records').waitFor();
    expect(await viewer.page.getByTestId('import-records').count()).toBe(0);
    await viewer.page.goto(`${s.baseUrl}/o/contact/import`);
    expect(await viewer.page.getByRole('alert').textContent()).toBe('You may not create records of this object.');
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();
  });

  it('shows a refused upload in place, in Japanese for a Japanese user', async () => {
    await page.locator('[data-locale=ja]').click();
    await page.goto(`${s.baseUrl}/o/contact/import`);
    await page.getByRole('heading', { name: '取引先責任者のインポート' }).waitFor();
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'header-only.csv', mimeType: 'text/csv', buffer: iconv.encode('氏名,メールアドレス\r\n', 'cp932') });
    await expect
      .poll(() => page.getByTestId('upload-error').textContent())
      .toBe('ファイルに見出し行しかありません（データ行がありません）。');
    await shot(page, 'import-error-ja');

    // The same wizard in Japanese: the preview's cell error in the reader's language.
    await page.getByTestId('file-input').setInputFiles({ name: '顧客リスト.csv', mimeType: 'text/csv', buffer: file.bytes });
    await page.getByTestId('to-mapping').click();
    await expect.poll(() => page.getByTestId('map-氏名').inputValue()).toBe('$full_name');
    expect(await page.locator('[data-column="氏名"] .target').textContent()).toContain('姓と名に分けます');
    await page.getByTestId('mode-partial').check();
    await page.getByTestId('create-missing-company').check();
    await page.screenshot({ path: join(screenshots, 'import-2-mapping-ja.png'), fullPage: true });
    await page.getByTestId('to-preview').click();
    const bad = page.locator(`[data-testid=preview] tr[data-row="${BAD_ROW}"] td[data-column="メールアドレス"] .message`);
    await expect.poll(() => bad.textContent()).toBe('正しいメールアドレスを入力してください');
    await shot(page, 'import-3-preview-ja');
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('[data-locale=en]').click();
    expect(errors).toEqual([]);
  });
});
