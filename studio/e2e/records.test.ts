// The everyday studio in chromium against a real server: records created, edited, filtered,
// sorted; saved views; kanban drag; the detail view with related lists; 422 and 412 handling;
// the ja/en switch remembered per user.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('studio records in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];
  let acme: string;

  beforeAll(async () => {
    s = await startStudio();
    acme = (await s.kizuna.call('POST', '/api/records/company', { name: 'Acme 株式会社', industry: 'manufacturing' })).body.id;
    const people = [
      { last_name: '山田', first_name: '太郎', email: 'taro@example.jp', lifecycle: 'customer', company: acme, city: '東京' },
      { last_name: '佐藤', first_name: '花子', email: 'hanako@example.jp', lifecycle: 'lead', company: acme, city: '大阪' },
      { last_name: 'Brown', first_name: 'Alice', email: 'alice@example.com', lifecycle: 'prospect', city: 'London' },
    ];
    expect((await s.kizuna.call('POST', '/api/records/contact/bulk', { records: people })).status).toBe(200);
    await s.kizuna.call('POST', '/api/records/case', { subject: 'プリンターが動かない', company: acme, status: 'open', priority: 'high' });
    await s.kizuna.call('POST', '/api/records/case', { subject: 'Invoice question', company: acme, status: 'open' });
    ({ page, errors } = await s.newPage());
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  const rowsText = () => page.locator('[data-testid=records] tbody tr td[data-column=last_name]').allTextContents();

  it('signs in and builds the navigation from the metadata', async () => {
    await page.getByRole('heading', { name: 'Welcome, Administrator' }).waitFor();
    const nav = await page.locator('.sidebar .nav-item').allTextContents();
    expect(nav.map((x) => x.trim())).toEqual(expect.arrayContaining(['Contacts', 'Companies', 'Cases', 'Object designer']));
    await shot(page, 'home');
  });

  it('lists contacts, sorts by a column and filters with the builder', async () => {
    await page.locator('.sidebar [data-object=contact]').click();
    await expect.poll(rowsText).toHaveLength(3);
    await page.locator('th[data-column=last_name] button').click();
    await expect.poll(rowsText).toEqual(['Brown', '佐藤', '山田']);
    await page.locator('th[data-column=last_name] button').click();
    await expect.poll(rowsText).toEqual(['山田', '佐藤', 'Brown']);

    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: '+ Add condition' }).click();
    // The operators come from the server's field-type table: a text field offers "contains (any
    // case)" first, a select field its order comparisons too, "is not empty" as is_null: false.
    const offered = () =>
      page.locator('.filter-row select[data-role=op] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const types = (await page.evaluate(() => fetch('/api/meta/field-types').then((r) => r.json()))).data as {
      type: string;
      operators: string[];
    }[];
    await page.locator('.filter-row select[data-role=field]').selectOption('last_name');
    await expect.poll(offered).toEqual(expect.arrayContaining(types.find((t) => t.type === 'text')!.operators));
    expect((await offered())[0]).toBe('icontains');
    await page.locator('.filter-row select[data-role=field]').selectOption('lifecycle');
    expect((await offered()).sort()).toEqual([...types.find((t) => t.type === 'select')!.operators, 'not_null'].sort());
    await page.locator('.filter-row select[data-role=op]').selectOption('in');
    await page.locator('.filter-row .chip-toggles').getByRole('button', { name: 'Customer' }).click();
    await page.locator('.filter-row .chip-toggles').getByRole('button', { name: 'Lead' }).click();
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(rowsText).toEqual(['山田', '佐藤']);
    await expect.poll(() => page.getByTestId('count').textContent()).toBe('2 of 2');
    await shot(page, 'list-filtered');

    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(rowsText).toHaveLength(3);
    await page.getByRole('searchbox', { name: 'Search' }).fill('花子');
    await expect.poll(rowsText).toEqual(['佐藤']);
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await expect.poll(rowsText).toHaveLength(3);
  });

  it('saves the current list as a personal view and applies the shipped views', async () => {
    await page.getByRole('button', { name: 'Sort' }).click();
    await page.getByRole('button', { name: '+ Add sort' }).click();
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByLabel('View name').fill('By name');
    await page.locator('.dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('tab', { name: 'By name' }).waitFor();
    const views = await s.kizuna.call('GET', '/api/views?object=contact');
    expect(views.body.data.find((v: { name: { en: string } }) => v.name.en === 'By name')).toMatchObject({
      shared: false,
      sort: ['-last_name', 'first_name'],
    });

    await page.getByRole('tab', { name: 'Created today' }).click();
    await expect.poll(rowsText).toHaveLength(3);
    await page.getByRole('tab', { name: 'My records' }).click();
    await expect.poll(rowsText).toHaveLength(0);
    await page.getByRole('tab', { name: 'All records' }).click();
    await expect.poll(rowsText).toHaveLength(3);
    // The address leads: the sidebar's plain link leaves a view, back returns to it.
    await page.getByRole('tab', { name: 'My records' }).click();
    await expect.poll(rowsText).toHaveLength(0);
    await page.locator('.sidebar [data-object=contact]').click();
    await expect.poll(rowsText).toHaveLength(3);
    expect(await page.getByRole('tab', { name: 'All records' }).getAttribute('aria-selected')).toBe('true');
    await page.goBack();
    await expect.poll(rowsText).toHaveLength(0);
    await page.getByRole('tab', { name: 'All records' }).click();
    await expect.poll(rowsText).toHaveLength(3);
  });

  it('creates a contact with the generated form, showing the server 422 at its field', async () => {
    await page.getByTestId('new-record').click();
    await page.getByRole('heading', { name: 'New Contact' }).waitFor();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.locator('[data-field=last_name] .field-error').textContent()).toBe('is required');

    await page.locator('#f-last_name').fill('鈴木');
    await page.locator('#f-phone').fill('not a phone');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.locator('[data-field=phone] .field-error').textContent()).toMatch(/phone number/);
    await shot(page, 'form-422');

    await page.locator('#f-phone').fill('03-1234-5678');
    await page.locator('[data-field=tags]').getByRole('button', { name: 'VIP' }).click();
    await page.locator('#f-company').fill('acme');
    await page.getByRole('option', { name: 'Acme 株式会社' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('鈴木');
    const list = await s.kizuna.call('GET', `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ last_name: '鈴木' }))}`);
    expect(list.body.data[0]).toMatchObject({ phone: '03-1234-5678', tags: ['vip'], company: acme });
  });

  it('edits a field inline on the detail view and shows it in the timeline', async () => {
    await page.locator('[data-field=title] dd').click();
    await page.locator('#inline-title').fill('部長');
    await page.locator('#inline-title').press('Enter');
    await expect.poll(() => page.locator('[data-field=title] dd').textContent()).toContain('部長');
    await expect.poll(() => page.getByTestId('timeline').textContent()).toContain('changed Title');
    await shot(page, 'detail');
  });

  it('says "changed by someone else" on a 412 and shows the latest version', async () => {
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await s.kizuna.call('PATCH', `/api/records/contact/${id}`, { title: '課長' });
    await page.locator('[data-field=city] dd').click();
    await page.locator('#inline-city').fill('横浜');
    await page.locator('#inline-city').press('Enter');
    await page.getByText('Changed by someone else. The latest version has been loaded.').waitFor();
    await expect.poll(() => page.locator('[data-field=title] dd').textContent()).toContain('課長');
    expect((await s.kizuna.call('GET', `/api/records/contact/${id}`)).body.city).toBeNull();
  });

  it('shows a company with its related contacts and cases', async () => {
    await page.goto(`${s.baseUrl}/o/company/${acme}`);
    await page.getByTestId('record-title').waitFor();
    await expect.poll(() => page.locator('[data-related=contacts] li').count()).toBe(3);
    await expect.poll(() => page.locator('[data-related=cases] li').count()).toBe(2);
    expect(await page.locator('[data-related=cases]').textContent()).toContain('プリンターが動かない');
    await shot(page, 'detail-company');
  });

  it('edits the detail layout and keeps it as the shared detail view', async () => {
    await page.getByRole('button', { name: 'Edit layout' }).click();
    await page.getByTestId('layout-editor').getByRole('button', { name: 'Remove: Company Name (Kana)' }).click();
    await page.getByRole('button', { name: 'Move up: Industry' }).click();
    await page.getByRole('button', { name: 'Move up: Industry' }).click();
    await page.getByRole('button', { name: 'Save layout' }).click();
    // Saving closes the editor and re-renders the fields from the saved view; poll, since the
    // old layout stays on screen until the server has answered.
    await page.getByTestId('layout-editor').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-field=name_kana]').count()).toBe(0);
    await page.reload();
    await page.getByTestId('record-title').waitFor();
    await expect.poll(() => page.locator('.detail-field dt').first().textContent()).toBe('Industry');
    expect(await page.locator('[data-field=name_kana]').count()).toBe(0);
    const views = (await s.kizuna.call('GET', '/api/views?object=company')).body.data;
    expect(views.find((v: { kind: string }) => v.kind === 'detail')).toMatchObject({ shared: true });
  });

  it('moves a case on the kanban board by dragging, and guards it with If-Match', async () => {
    await page.goto(`${s.baseUrl}/o/case/board/status`);
    const card = page.locator('.board-card', { hasText: 'Invoice question' });
    await card.waitFor();
    await card.dragTo(page.locator('.board-column[data-column=in_progress]'));
    await page.locator('.board-column[data-column=in_progress] .board-card', { hasText: 'Invoice question' }).waitFor();
    const id = await card.getAttribute('data-id');
    await expect.poll(async () => (await s.kizuna.call('GET', `/api/records/case/${id}`)).body.status).toBe('in_progress');
    await shot(page, 'kanban');

    // Someone else resolves it meanwhile: the move is refused and the card reloaded.
    await s.kizuna.call('PATCH', `/api/records/case/${id}`, { priority: 'low' });
    await page
      .locator('.board-column[data-column=in_progress] .board-card', { hasText: 'Invoice question' })
      .locator('select')
      .selectOption('open');
    await page.getByText('Changed by someone else').waitFor();
    await page.locator('.board-column[data-column=in_progress] .board-card', { hasText: 'Invoice question' }).waitFor();
    expect((await s.kizuna.call('GET', `/api/records/case/${id}`)).body.status).toBe('in_progress');
  });

  it('bulk edits and bulk deletes selected rows', async () => {
    await page.goto(`${s.baseUrl}/o/contact`);
    await expect.poll(rowsText).toHaveLength(4);
    const rows = page.locator('[data-testid=records] tbody tr[data-index]');
    await rows.nth(0).getByRole('checkbox').check();
    await rows.nth(1).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit selected' }).click();
    await page.locator('#bulk-field').selectOption('city');
    await page.locator('#bulk-value').fill('名古屋');
    await page.locator('.dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByText('2 records updated').waitFor();
    const city = await s.kizuna.call(
      'GET',
      `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ city: '名古屋' }))}&count=true`,
    );
    expect(city.body.page.total).toBe(2);

    await rows.nth(0).getByRole('checkbox').check();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await expect.poll(rowsText).toHaveLength(3);
  });

  it('switches to Japanese, remembers it for the user, and back', async () => {
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('heading', { name: '取引先責任者' }).waitFor();
    expect(await page.locator('th[data-column=last_name]').textContent()).toContain('姓');
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    await shot(page, 'list-ja');
    expect((await s.kizuna.call('GET', '/api/users')).body.data.find((u: { email: string }) => u.email === 'admin@localhost').locale).toBe(
      'ja',
    );

    // Another browser of the same user opens in Japanese.
    const other = await s.newPage();
    await signIn(other.page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await other.page.getByRole('heading', { name: 'ようこそ、Administrator さん' }).waitFor();
    await other.context.close();

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Contacts' }).waitFor();
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
