// The export dialog in chromium (issue 16, item 7): columns shown, all fields or a saved view's;
// relations and users as names or ids; options as labels in the header language. The files are
// downloaded and read back — in English and in Japanese, and for a restricted user, whose file
// holds the ids of companies they may not read, never their names.
import { parse } from 'csv-parse/sync';
import type { Download, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

const READER_PASSWORD = 'reader-password-123';

/** The downloaded CSV as { header → cell } of the row holding `key`. */
async function rowOf(d: Download, key: string): Promise<Record<string, string>> {
  const [header, ...rows]: string[][] = parse((await readFile((await d.path())!)).toString('utf8'), { bom: true });
  const row = rows.find((r) => r.includes(key))!;
  return Object.fromEntries(header.map((h, i) => [h, row[i]]));
}

async function download(page: Page): Promise<Download> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  return file;
}

async function openDialog(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/o/contact`);
  await page.getByTestId('export-records').click();
  await page.getByTestId('export-dialog').waitFor();
}

describe('export dialog in chromium', () => {
  let s: Studio;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await startStudio();
    const k = s.kizuna;
    const role = {
      name: 'contact_reader',
      label: { en: 'Contact reader', ja: '取引先責任者の閲覧' },
      objects: { contact: { read: 'all' } },
    };
    expect((await k.call('POST', '/api/roles', role)).status).toBe(201);
    const reader = await k.call('POST', '/api/users', { email: 'reader@example.jp', name: '閲覧 花子', roles: ['contact_reader'] });
    expect(reader.status).toBe(201);
    expect((await k.call('PATCH', `/api/users/${reader.body.id}`, { password: READER_PASSWORD })).status).toBe(200);
    ids.me = (await k.call('GET', '/api/auth/me')).body.user.id;
    ids.myName = (await k.call('GET', '/api/auth/me')).body.user.name;
    ids.company = (await k.call('POST', '/api/records/company', { name: '株式会社サンプル' })).body.id;
    const c = await k.call('POST', '/api/records/contact', {
      last_name: '輸出',
      first_name: '太郎',
      email: 'export@example.jp',
      company: ids.company,
      owner: ids.me,
      lifecycle: 'customer',
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    const view = await k.call('POST', '/api/views', {
      object: 'contact',
      name: { en: 'Mailing list', ja: '送付先リスト' },
      kind: 'list',
      shared: true,
      columns: ['last_name', 'email', 'company', 'lifecycle'],
    });
    expect(view.status, JSON.stringify(view.body)).toBe(201);
  });
  afterAll(() => s?.close());

  it('exports a saved view’s columns with names and Japanese labels, then ids with API names', async () => {
    const { page, errors } = await s.newPage();
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await openDialog(page, s.baseUrl);
    await page.getByLabel('Columns of a saved view').check();
    await page.getByTestId('export-view').selectOption({ label: 'Mailing list' });
    await page.getByLabel('Japanese labels').check();
    await expect
      .poll(() => page.locator('.export-dialog .columns').textContent())
      .toBe('Columns: Last Name, Email, Company, Lifecycle Stage');
    await shot(page, 'export-dialog-columns');
    expect(await seriousViolations(page)).toEqual([]);
    const named = await rowOf(await download(page), 'export@example.jp');
    expect(Object.keys(named)).toEqual(['ID', '姓', 'メールアドレス', '取引先', 'ライフサイクルステージ', '作成日時', '更新日時']);
    expect(named).toMatchObject({ 姓: '輸出', 取引先: '株式会社サンプル', ライフサイクルステージ: '顧客' });

    await page.getByTestId('export-records').click();
    await page.getByLabel('All fields').check();
    await page.getByLabel('API names').check();
    await page.getByLabel('Record IDs').check();
    const raw = await rowOf(await download(page), 'export@example.jp');
    expect(raw).toMatchObject({ company: ids.company, owner: ids.me, lifecycle: 'customer', first_name: '太郎' });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('offers the same choices in Japanese and writes users by name', async () => {
    const { page, errors } = await s.newPage('ja-JP');
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.locator('[data-locale=ja]').click();
    await openDialog(page, s.baseUrl);
    await page.getByRole('group', { name: '関連レコードとユーザー' }).waitFor();
    await page.getByLabel('すべての項目').check();
    await page.getByLabel('英語の項目名').check();
    await shot(page, 'export-dialog-ja');
    expect(await seriousViolations(page)).toEqual([]);
    const row = await rowOf(await download(page), 'export@example.jp');
    expect(row).toMatchObject({ Company: '株式会社サンプル', Owner: ids.myName, 'Lifecycle Stage': 'Customer' });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('writes the id of a company a restricted user may not read, never its name', async () => {
    const { page, errors } = await s.newPage();
    await signIn(page, s.baseUrl, 'reader@example.jp', READER_PASSWORD);
    await openDialog(page, s.baseUrl);
    await page.getByLabel('All fields').check();
    const file = await download(page);
    expect((await readFile((await file.path())!)).toString('utf8')).not.toContain('株式会社サンプル');
    expect(await rowOf(file, 'export@example.jp')).toMatchObject({ Company: ids.company, 'Last Name': '輸出' });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
