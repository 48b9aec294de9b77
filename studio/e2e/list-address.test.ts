// Lists and boards live in the address (issue 16 item 9a): a link shared into a fresh page shows
// the same list, back steps through changes, a reload keeps them, and a link naming a field the
// reader does not have (unknown, or hidden from a restricted user) shows the list without it
// and says so, in en and ja.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('list state in the address, in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    s = await startStudio();
    const people = [
      { last_name: '山田', first_name: '太郎', lifecycle: 'customer', city: '東京', mobile: '090-1111-2222' },
      { last_name: '佐藤', first_name: '花子', lifecycle: 'lead', city: '大阪' },
      { last_name: 'Brown', first_name: 'Alice', lifecycle: 'lead', city: 'London' },
      { last_name: 'Adams', first_name: 'Bob', lifecycle: 'customer', city: 'Leeds' },
    ];
    expect((await s.kizuna.call('POST', '/api/records/contact/bulk', { records: people })).status).toBe(200);
    await s.kizuna.call('POST', '/api/users', {
      email: 'viewer@example.jp',
      name: '閲覧 花子',
      locale: 'ja',
      password: 'viewer-password-1',
      roles: ['viewer'],
    });
    ({ page, errors } = await s.newPage());
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  const names = (p: Page) => p.locator('[data-testid=records] tbody tr td[data-column=last_name]').allTextContents();
  const query = (p: Page) => Object.fromEntries(new URL(p.url()).searchParams);

  it('writes filter, sort, search and columns into the address as they change', async () => {
    await page.locator('.sidebar [data-object=contact]').click();
    await expect.poll(() => names(page)).toHaveLength(4);
    await page.locator('th[data-column=last_name] button').click();
    await expect.poll(() => query(page)).toEqual({ sort: 'last_name' });
    await expect.poll(() => names(page)).toEqual(['Adams', 'Brown', '佐藤', '山田']);

    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: '+ Add condition' }).click();
    await page.locator('.filter-row select[data-role=field]').selectOption('lifecycle');
    await page.locator('.filter-row select[data-role=op]').selectOption('eq');
    await page.locator('.filter-row select#filter-value-0').selectOption('lead');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => query(page)).toEqual({ sort: 'last_name', filter: 'lifecycle:eq:lead' });
    await expect.poll(() => names(page)).toEqual(['Brown', '佐藤']);

    await page.getByRole('searchbox').fill('Brown');
    await expect.poll(() => query(page)).toEqual({ sort: 'last_name', filter: 'lifecycle:eq:lead', q: 'Brown' });
    await expect.poll(() => names(page)).toEqual(['Brown']);

    await page.getByRole('button', { name: 'Columns' }).click();
    await page.locator('.column-chooser li', { hasText: 'City' }).locator('input').check();
    await expect.poll(() => query(page).columns?.split(',').at(-1)).toBe('city');
    await page.locator('[data-testid=records] thead th[data-column=city]').waitFor();
  });

  it('opens a shared link in a fresh page as the same list, and keeps it on reload', async () => {
    const url = page.url();
    const fresh = await s.newPage('ja-JP');
    await fresh.page.goto(url);
    await fresh.page.locator('#email').fill('admin@localhost');
    await fresh.page.locator('#password').fill(ADMIN_PASSWORD);
    await fresh.page.locator('form.sign-in button[type=submit]').click();
    await expect.poll(() => query(fresh.page)).toEqual(query(page));
    // The admin's language is remembered for the user, not the browser: choose Japanese here.
    await fresh.page.locator('.locale-switch [data-locale=ja]').first().click();
    await expect.poll(() => fresh.page.locator('h1').textContent()).toBe('取引先責任者');
    await expect
      .poll(() =>
        fresh.page
          .locator('[data-testid=records] thead th[data-column]')
          .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column'))),
      )
      .toEqual(
        await page
          .locator('[data-testid=records] thead th[data-column]')
          .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column'))),
      );
    expect(await fresh.page.getByRole('searchbox').inputValue()).toBe('Brown');
    await fresh.page.reload();
    await expect.poll(() => query(fresh.page)).toEqual(query(page));
    expect(await fresh.page.getByRole('searchbox').inputValue()).toBe('Brown');
    await expect.poll(() => fresh.page.locator('.toolbar .badge').first().textContent()).toBe('1');
    await shot(fresh.page, 'list-address-ja');
    await fresh.page.locator('.locale-switch [data-locale=en]').first().click();
    await expect.poll(() => fresh.page.locator('h1').textContent()).toBe('Contacts');
    expect(fresh.errors).toEqual([]);
    await fresh.context.close();
  });

  it('steps back through the changes with the back button', async () => {
    await page.goBack();
    await expect.poll(() => query(page)).toEqual({ sort: 'last_name', filter: 'lifecycle:eq:lead', q: 'Brown' });
    await page.goBack();
    await expect.poll(() => query(page)).toEqual({ sort: 'last_name', filter: 'lifecycle:eq:lead' });
    await expect.poll(() => page.getByRole('searchbox').inputValue()).toBe('');
    await expect.poll(() => names(page)).toEqual(['Brown', '佐藤']);
    await page.goBack();
    await expect.poll(() => query(page)).toEqual({ sort: 'last_name' });
    await expect.poll(() => names(page)).toEqual(['Adams', 'Brown', '佐藤', '山田']);
    await page.goForward();
    await expect.poll(() => names(page)).toEqual(['Brown', '佐藤']);
  });

  it('shows a link with an unknown field or operator without it, and says so', async () => {
    await page.goto(`${s.baseUrl}/o/contact?filter=nosuch:eq:x;lifecycle:bogus:1;lifecycle:eq:customer&sort=-nosort,last_name&view=gone`);
    await page.getByTestId('address-notice').waitFor();
    const notice = await page.getByTestId('address-notice').textContent();
    for (const item of ['nosuch', 'lifecycle', 'nosort', 'gone']) expect(notice).toContain(item);
    await expect.poll(() => names(page)).toEqual(['Adams', '山田']);
    await expect.poll(() => query(page)).toEqual({ filter: 'lifecycle:eq:customer', sort: 'last_name' });
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'list-address-notice');
    expect(errors).toEqual([]);
  });

  it('a restricted user opening a link with a field hidden from them sees the list without it (ja)', async () => {
    const url = `${s.baseUrl}/o/contact?filter=mobile:not_null;lifecycle:eq:customer&columns=last_name,mobile,city&sort=last_name`;
    const viewer = await s.newPage('ja-JP');
    await viewer.page.goto(url);
    await viewer.page.locator('#email').fill('viewer@example.jp');
    await viewer.page.locator('#password').fill('viewer-password-1');
    await viewer.page.locator('form.sign-in button[type=submit]').click();
    await viewer.page.getByTestId('address-notice').waitFor();
    expect(await viewer.page.getByTestId('address-notice').textContent()).toContain('mobile');
    expect(await viewer.page.getByTestId('address-notice').textContent()).toContain('除いて表示');
    await expect.poll(() => names(viewer.page)).toEqual(['Adams', '山田']);
    await expect.poll(() => query(viewer.page)).toEqual({ filter: 'lifecycle:eq:customer', columns: 'last_name,city', sort: 'last_name' });
    expect(await seriousViolations(viewer.page)).toEqual([]);
    await shot(viewer.page, 'list-address-restricted-ja');
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();
  });
  it('filters a currency field between two amounts, kept in the address, and says "between" in Japanese', async () => {
    const records = [5000, 12000, 80000].map((amount) => ({
      name: `売上 ${amount}`,
      annual_revenue: { amount: String(amount), currency: 'JPY' },
    }));
    expect((await s.kizuna.call('POST', '/api/records/company/bulk', { records })).status).toBe(200);
    const companies = (p: Page) => p.locator('[data-testid=records] tbody tr td[data-column=name]').allTextContents();
    await page.goto(`${s.baseUrl}/o/company`);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: '+ Add condition' }).click();
    await page.locator('.filter-row select[data-role=field]').selectOption('annual_revenue');
    await page.locator('.filter-row select[data-role=op]').selectOption('between');
    await page.getByRole('spinbutton', { name: 'from' }).fill('10000');
    await page.getByRole('spinbutton', { name: 'to' }).fill('50000');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'filter-between');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => query(page).filter).toBe('annual_revenue:between:10000|50000');
    await expect.poll(() => companies(page)).toEqual(['売上 12000']);
    // The same link in Japanese: the builder shows the range as it was chosen.
    const ja = await s.newPage('ja-JP');
    await signIn(ja.page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await ja.page.goto(page.url());
    // The admin's language is the user's, not the browser's: Japanese chosen here, English again below.
    await ja.page.locator('.locale-switch [data-locale=ja]').first().click();
    await expect.poll(() => companies(ja.page)).toEqual(['売上 12000']);
    await ja.page.getByRole('button', { name: '絞り込み' }).click();
    await expect.poll(() => ja.page.locator('.filter-row select[data-role=op] option:checked').textContent()).toBe('範囲');
    expect(await ja.page.getByRole('spinbutton', { name: '下限' }).inputValue()).toBe('10000');
    await ja.page.keyboard.press('Escape');
    await ja.page.locator('.locale-switch [data-locale=en]').first().click();
    expect(ja.errors).toEqual([]);
    await ja.context.close();
    expect(errors).toEqual([]);
  });
});
