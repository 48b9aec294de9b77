// Global search and the home page in chromium (issue 16, items 10 and 11): Ctrl+K and "/" open
// the top bar's search, hits come grouped by object and named by display templates (First Last
// in English, family name first in Japanese), arrows and Enter open one, Esc closes, recent items
// show when the box is empty; the home page lists open records assigned to the person and what
// they opened lately. A restricted user never sees records or objects they may not read.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

const REP_PASSWORD = 'rep-password-12345';

describe('global search and home in chromium', () => {
  let s: Studio;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await startStudio();
    const k = s.kizuna;
    const create = async (object: string, body: Record<string, unknown>) => {
      const r = await k.call('POST', `/api/records/${object}`, body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const role = {
      name: 'own_work',
      label: { en: 'Own work', ja: '自分の仕事' },
      objects: { contact: { read: 'own' }, case: { read: 'own' } },
    };
    expect((await k.call('POST', '/api/roles', role)).status).toBe(201);
    const rep = await k.call('POST', '/api/users', { email: 'rep@example.jp', name: '営業 一郎', locale: 'ja', roles: ['own_work'] });
    expect(rep.status).toBe(201);
    ids.rep = rep.body.id;
    expect((await k.call('PATCH', `/api/users/${ids.rep}`, { password: REP_PASSWORD })).status).toBe(200);
    const admin = (await k.call('GET', '/api/auth/me')).body.user.id as string;
    ids.company = await create('company', { name: '山田商事' });
    ids.taro = await create('contact', {
      last_name: '山田',
      first_name: '太郎',
      last_name_kana: 'ヤマダ',
      first_name_kana: 'タロウ',
      owner: ids.rep,
    });
    ids.hanako = await create('contact', { last_name: '山田', first_name: '花子', last_name_kana: 'ヤマダ', owner: admin });
    ids.repCase = await create('case', { subject: '請求書の再発行', assignee: ids.rep, status: 'open' });
    await create('case', { subject: '解決した問い合わせ', assignee: ids.rep, status: 'resolved' });
    ids.adminCase = await create('case', { subject: 'ログインできない', assignee: admin, status: 'in_progress', priority: 'high' });
    for (let i = 1; i <= 6; i++) await create('company', { name: `Sato Trading ${i}` });
  });
  afterAll(() => s?.close());

  const box = (page: Page) => page.locator('#global-search-input');
  const options = (page: Page) => page.locator('#global-search-listbox [role=option]');
  const groups = (page: Page) =>
    page.locator('#global-search-listbox [role=group]').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label')));

  it('lets an admin search everything from the keyboard, in English', async () => {
    const { page, errors } = await s.newPage('en-US');
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await page.locator('[data-testid=objects]').waitFor();
    await page.keyboard.press('Control+k');
    await expect.poll(() => box(page).evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await box(page).getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => page.getByTestId('search-popup').textContent()).toContain('Records you open appear here.');
    await box(page).fill('山田');
    // Both contacts' last name is 山田 exactly (newest first), the company's name only starts with it.
    await expect.poll(() => groups(page)).toEqual(['Contacts', 'Companies']);
    await expect.poll(() => options(page).allTextContents()).toEqual(['花子 山田', '太郎 山田', '山田商事']);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'search-en');
    // The first hit is selected; ArrowDown moves to the next, and Enter opens it.
    expect(await box(page).getAttribute('aria-activedescendant')).toBe(await options(page).nth(0).getAttribute('id'));
    await box(page).press('ArrowDown');
    expect(await options(page).nth(1).getAttribute('aria-selected')).toBe('true');
    await box(page).press('Enter');
    await page.waitForURL(`**/o/contact/${ids.taro}`);
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('太郎 山田');
    // The record opened is now a recent item: shown when the box is empty.
    await page.keyboard.press('Control+k');
    await expect.poll(() => options(page).allTextContents()).toEqual(['太郎 山田Contact']);
    await box(page).press('Escape');
    expect(await box(page).getAttribute('aria-expanded')).toBe('false');
    // Five hits per object, then "All Companies matching …" (the last entry: ArrowUp wraps to it) opens the list searched.
    await box(page).fill('sato');
    await expect.poll(() => options(page).count()).toBe(6);
    expect(await options(page).nth(0).textContent()).toBe('Sato Trading 6');
    await box(page).press('ArrowUp');
    expect(await options(page).nth(5).textContent()).toBe('All Companies matching “sato”');
    await box(page).press('Enter');
    await page.waitForURL('**/o/company?q=sato');
    expect(await page.locator('input.search').inputValue()).toBe('sato');
    await expect.poll(() => page.locator('main').textContent()).toContain('Sato Trading 1');
    expect(errors).toEqual([]);
  });

  it('shows an admin their open assignments and recent items on the home page', async () => {
    const { page, errors } = await s.newPage('en-US');
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await expect.poll(() => page.getByTestId('assigned').textContent()).toContain('ログインできない');
    const assigned = await page.getByTestId('assigned').textContent();
    expect(assigned).toContain('In Progress');
    expect(assigned).toContain('花子 山田');
    expect(assigned).not.toContain('請求書の再発行');
    await expect.poll(() => page.getByTestId('recent').textContent()).toContain('太郎 山田');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'home-en');
    expect(errors).toEqual([]);
  });

  it('shows a restricted user only what they may read, in Japanese, opened with "/"', async () => {
    const { page, errors } = await s.newPage('ja-JP');
    await signIn(page, s.baseUrl, 'rep@example.jp', REP_PASSWORD);
    await expect.poll(() => page.getByTestId('assigned').textContent()).toContain('請求書の再発行');
    const home = await page.getByTestId('assigned').textContent();
    expect(home).toContain('未対応');
    expect(home).toContain('山田 太郎');
    expect(home).not.toContain('解決した問い合わせ');
    expect(home).not.toContain('ログインできない');
    expect((await page.locator('[data-testid=objects] .object-label').allTextContents()).sort()).toEqual(['ケース', '取引先責任者']);
    await page.locator('h1').click();
    await page.keyboard.press('/');
    await expect.poll(() => box(page).evaluate((el) => el === document.activeElement)).toBe(true);
    await box(page).fill('やまだ');
    await expect.poll(() => groups(page)).toEqual(['取引先責任者']);
    await expect.poll(() => options(page).allTextContents()).toEqual(['山田 太郎']);
    expect(await page.getByTestId('search-popup').textContent()).not.toContain('花子');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'search-ja');
    await box(page).press('Enter');
    await page.waitForURL(`**/o/contact/${ids.taro}`);
    await page.goto(`${s.baseUrl}/`);
    await expect.poll(() => page.getByTestId('recent').textContent()).toContain('山田 太郎');
    expect(await page.getByTestId('recent').textContent()).not.toContain('山田商事');
    // Typing "/" in a field types it, and a search with no hits says so.
    await box(page).fill('存在しない/名前');
    await expect.poll(() => page.getByTestId('search-popup').textContent()).toContain('「存在しない/名前」に一致するものはありません。');
    // Esc closes the list, a second Esc empties the box.
    await box(page).press('Escape');
    expect(await box(page).getAttribute('aria-expanded')).toBe('false');
    await box(page).press('Escape');
    expect(await box(page).inputValue()).toBe('');
    expect(await box(page).getAttribute('aria-expanded')).toBe('false');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'home-ja');
    expect(errors).toEqual([]);
  });
});
