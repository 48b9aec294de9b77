// The kanban board in chromium (issue 16 item 9c): cards show the fields the board view chose,
// each column shows its count and the total of a currency field over all its records (the
// server's ?sum=, not the loaded cards), search and filter live in the address, and a viewer
// for whom the summed field is hidden sees the board without it, in en and ja.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('kanban card fields and column totals in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    s = await startStudio();
    const records = [];
    // 60 large companies: more than the 50 cards a column loads, so the total must come from the server.
    for (let i = 0; i < 60; i++)
      records.push({
        name: `大手 ${i}`,
        size: '1001_plus',
        industry: 'manufacturing',
        annual_revenue: { amount: '1000', currency: 'JPY' },
      });
    records.push({ name: 'Tiny Ltd', size: '1_10', industry: 'retail', annual_revenue: { amount: '12.50', currency: 'USD' } });
    records.push({ name: 'Small Shop', size: '1_10', industry: 'retail', annual_revenue: { amount: '500', currency: 'JPY' } });
    expect((await s.kizuna.call('POST', '/api/records/company/bulk', { records })).status).toBe(200);
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

  const column = (p: Page, value: string) => p.locator(`.board-column[data-column="${value}"]`);
  const query = (p: Page) => Object.fromEntries(new URL(p.url()).searchParams);

  it('chooses the fields on each card and a column total, and saves them with a board view', async () => {
    await page.goto(`${s.baseUrl}/o/company/board/size`);
    await expect.poll(() => column(page, '1001_plus').locator('[data-role=count]').textContent()).toBe('60');
    await page.getByRole('button', { name: 'Card' }).click();
    await page.locator('#board-sum').selectOption('annual_revenue');
    await expect.poll(() => column(page, '1001_plus').locator('[data-role=sum]').textContent()).toBe('¥60,000');
    await expect.poll(() => column(page, '1_10').locator('[data-role=sum]').textContent()).toBe('¥500 · $12.50');
    await page.locator('.column-chooser li', { hasText: 'Industry' }).locator('input').check();
    await expect.poll(() => column(page, '1_10').locator('.board-card', { hasText: 'Tiny Ltd' }).textContent()).toContain('Retail');

    await page.getByRole('button', { name: 'Save as board view' }).click();
    await page.locator('#view-name').fill('Revenue by size');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => query(page).view).toBeTruthy();
    const saved = (await s.kizuna.call('GET', '/api/views?object=company')).body.data.find((v: { kind: string }) => v.kind === 'kanban');
    expect(saved).toMatchObject({ group_by: 'size', sum_field: 'annual_revenue' });
    expect(saved.columns).toContain('industry');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'board-totals');

    // The open view is the reader's own: "Save board" changes it in place (no second view).
    if (!(await page.locator('#board-sum').isVisible())) await page.getByRole('button', { name: 'Card' }).click();
    await page.locator('.column-chooser li', { hasText: 'Industry' }).locator('input').uncheck();
    await page.locator('#board-sum').selectOption('');
    await page.getByRole('button', { name: 'Save board' }).click();
    await page.getByText('Board saved').waitFor();
    const boards = (await s.kizuna.call('GET', '/api/views?object=company')).body.data.filter((v: { kind: string }) => v.kind === 'kanban');
    expect(boards).toHaveLength(1);
    expect(boards[0].id).toBe(saved.id);
    expect(boards[0].sum_field ?? null).toBeNull();
    expect(boards[0].columns).not.toContain('industry');
    // Back as it was, for the tests below.
    await page.locator('#board-sum').selectOption('annual_revenue');
    await page.locator('.column-chooser li', { hasText: 'Industry' }).locator('input').check();
    await page.getByRole('button', { name: 'Save board' }).click();
    await expect.poll(async () => (await s.kizuna.call('GET', `/api/views/${saved.id}`)).body.sum_field).toBe('annual_revenue');
  });

  it('keeps search and filter in the address, and totals follow them', async () => {
    await page.getByRole('searchbox').fill('Tiny');
    await expect.poll(() => query(page).q).toBe('Tiny');
    await expect.poll(() => column(page, '1_10').locator('[data-role=count]').textContent()).toBe('1');
    await expect.poll(() => column(page, '1_10').locator('[data-role=sum]').textContent()).toBe('$12.50');
    await expect.poll(() => column(page, '1001_plus').locator('[data-role=count]').textContent()).toBe('0');
    const url = page.url();
    await page.goBack();
    await expect.poll(() => column(page, '1001_plus').locator('[data-role=count]').textContent()).toBe('60');

    // The same link in a fresh page, in Japanese: the saved card fields and totals, the search.
    const fresh = await s.newPage('ja-JP');
    await signIn(fresh.page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await fresh.page.goto(url);
    // The admin's language is remembered for the user, not the browser: choose Japanese here.
    await fresh.page.locator('.locale-switch [data-locale=ja]').first().click();
    await expect.poll(() => column(fresh.page, '1_10').locator('[data-role=count]').textContent()).toBe('1');
    await expect.poll(() => fresh.page.getByRole('searchbox').inputValue()).toBe('Tiny');
    await expect.poll(() => column(fresh.page, '1_10').locator('.board-card').textContent()).toContain('小売');
    await expect.poll(() => column(fresh.page, '1_10').locator('[data-role=sum]').textContent()).toMatch(/\$12\.50/);
    await shot(fresh.page, 'board-totals-ja');
    await fresh.page.locator('.locale-switch [data-locale=en]').first().click();
    await expect.poll(() => fresh.page.getByRole('searchbox').getAttribute('placeholder')).toBe('Search…');
    expect(fresh.errors).toEqual([]);
    await fresh.context.close();
    expect(errors).toEqual([]);
  });

  it('a viewer for whom the summed field is hidden sees counts without totals (ja)', async () => {
    const viewer = await s.newPage('ja-JP');
    await signIn(viewer.page, s.baseUrl, 'viewer@example.jp', 'viewer-password-1');
    await viewer.page.goto(`${s.baseUrl}/o/company/board/size?filter=annual_revenue:gte:100;industry:eq:retail`);
    await viewer.page.getByTestId('address-notice').waitFor();
    expect(await viewer.page.getByTestId('address-notice').textContent()).toContain('annual_revenue');
    await expect.poll(() => column(viewer.page, '1_10').locator('[data-role=count]').textContent()).toBe('2');
    expect(await column(viewer.page, '1_10').locator('[data-role=sum]').count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: 'カード' }).isVisible()).toBe(true);
    expect(await seriousViolations(viewer.page)).toEqual([]);
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();
  });
});
