// The permission-aware studio in chromium (issue 16, item 6): an admin is offered everything; a
// person whose role reads contacts but may not create or delete them, may not read companies,
// and has a hidden and a read-only contact field is offered only what works — in English and
// Japanese — and is told "no access" (not "not found") for what exists but is not theirs. A
// refusal the server gives after their rights changed reaches them in their language.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { publishWorkflow, WELCOME } from './workflows.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

const PASSWORD = 'reader-password-123';
const NO_UUID = '00000000-0000-4000-8000-000000000000';
const role = (update: 'all' | 'none') => ({
  name: 'contact_reader',
  label: { en: 'Contact reader', ja: '取引先責任者の閲覧者' },
  objects: { contact: { read: 'all', create: 'none', update, delete: 'none', fields: { notes: 'hidden', email: 'read' } } },
});

describe('what the studio offers by permission, in chromium', () => {
  let s: Studio;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await startStudio();
    const k = s.kizuna;
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
    expect((await k.call('POST', '/api/roles', role('all'))).status).toBe(201);
    for (const [name, locale] of [
      ['reader-en', 'en'],
      ['reader-ja', 'ja'],
    ]) {
      const u = await k.call('POST', '/api/users', {
        email: `${name}@example.jp`,
        name,
        locale,
        roles: ['contact_reader'],
        password: PASSWORD,
      });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
    }
    // A workflow that writes to every new contact: its run is on the contact's timeline.
    await publishWorkflow(k, WELCOME);
    ids.company = (await k.call('POST', '/api/records/company', { name: '山田商事' })).body.id;
    const person = { last_name: '山田', first_name: '太郎', email: 'taro.yamada@example.jp', company: ids.company, notes: '社外秘のメモ' };
    ids.contact = (await k.call('POST', '/api/records/contact', person)).body.id;
    await vi.waitFor(async () => expect((await k.call('GET', `/api/records/contact/${ids.contact}`)).body.title).toBe('New contact'), {
      timeout: 30_000,
      interval: 200,
    });
    // A likely duplicate, for the dedupe panel's merge.
    const twin = await k.call('POST', '/api/records/contact?override=true', { ...person, notes: null });
    expect(twin.status, JSON.stringify(twin.body)).toBe(201);
  });
  afterAll(() => s?.close());

  const open = async (who: string, password: string, locale = 'en-US'): Promise<{ page: Page; errors: string[] }> => {
    const { page, errors } = await s.newPage(locale);
    await signIn(page, s.baseUrl, who, password);
    return { page, errors };
  };
  const noSerious = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);

  it('offers an admin every action: new, import, bulk edit and delete, edit, delete, layout, merge, the designer', async () => {
    const { page, errors } = await open('admin@localhost', ADMIN_PASSWORD);
    await page.goto(`${s.baseUrl}/o/contact`);
    await page.locator('[data-testid=new-record]').waitFor();
    await page.locator('[data-testid=import-records]').waitFor();
    await expect.poll(() => page.locator('.sidebar a[href="/designer"]').count()).toBe(1);
    await page.locator('table.records tbody input[type=checkbox]').first().check();
    await page.getByRole('button', { name: 'Edit selected' }).waitFor();
    await page.getByRole('button', { name: 'Delete selected' }).waitFor();
    await page.goto(`${s.baseUrl}/o/contact/${ids.contact}`);
    await page.locator('[data-field=notes]').waitFor();
    for (const name of ['Edit', 'Delete', 'Edit layout']) await page.getByRole('button', { name, exact: true }).waitFor();
    await page.locator('[data-field=email] .edit-button').waitFor();
    await page.locator('[data-testid=dedupe-panel] button', { hasText: 'Merge' }).waitFor();
    // The workflow's run on the timeline links to the run's page (admins read runs).
    await page.locator('[data-kind=workflow_run]').getByRole('link', { name: 'Open run' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('offers a restricted reader only what their role allows, and hides the admin pages (en)', async () => {
    const { page, errors } = await open('reader-en@example.jp', PASSWORD);
    await page.goto(`${s.baseUrl}/o/contact`);
    await page.locator('table.records tbody tr').first().waitFor();
    await page.locator('[data-testid=export-records]').waitFor();
    expect(await page.locator('[data-testid=new-record], [data-testid=import-records]').count()).toBe(0);
    expect(await page.locator('.sidebar a[href="/designer"], .sidebar a[href="/workflows"], .sidebar a[href="/plugins"]').count()).toBe(0);
    expect(await page.locator('.sidebar [data-object=company]').count()).toBe(0);
    // They may update: rows are selectable for bulk edit, which offers neither the read-only nor the hidden field.
    await page.locator('table.records tbody input[type=checkbox]').first().check();
    await page.getByRole('button', { name: 'Edit selected' }).click();
    const options = await page.locator('#bulk-field option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toContain('first_name');
    expect(options).not.toContain('email');
    expect(options).not.toContain('notes');
    expect(await page.getByRole('button', { name: 'Delete selected' }).count()).toBe(0);
    await noSerious(page);
    await shot(page, 'access-reader-list-en');
    await page.keyboard.press('Escape');

    await page.goto(`${s.baseUrl}/o/contact/${ids.contact}`);
    await page.locator('[data-field=first_name] .edit-button').waitFor();
    expect(await page.locator('[data-field=email]').count()).toBe(1);
    expect(await page.locator('[data-field=email] .edit-button').count()).toBe(0);
    expect(await page.locator('[data-field=notes]').count()).toBe(0);
    await page.getByRole('button', { name: 'Edit', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit layout' }).count()).toBe(0);
    // The run is on their timeline too, without the link to a page only admins may open.
    await page.locator('[data-kind=workflow_run]').first().waitFor();
    expect(await page.locator('[data-kind=workflow_run] a').count()).toBe(0);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.locator('#f-first_name').waitFor();
    expect(await page.locator('#f-email, #f-notes').count()).toBe(0);
    await noSerious(page);
    await shot(page, 'access-reader-record-en');
    expect(errors).toEqual([]);
  });

  it('says "No access" for what exists but is not theirs, and "not found" for what does not exist (en)', async () => {
    const { page, errors } = await open('reader-en@example.jp', PASSWORD);
    const heading = async (path: string) => {
      await page.goto(`${s.baseUrl}${path}`);
      await page.locator('[data-testid=no-access], [data-testid=not-found]').waitFor();
      return page.locator('.error-page h1').innerText();
    };
    expect(await heading('/o/company')).toBe('No access');
    await noSerious(page);
    await shot(page, 'access-no-access-en');
    expect(await heading(`/o/company/${ids.company}`)).toBe('No access');
    expect(await heading('/o/company/board')).toBe('No access');
    expect(await heading('/o/contact/new')).toBe('No access');
    expect(await page.locator('.error-page p').innerText()).toContain('create');
    await page.goto(`${s.baseUrl}/o/contact/import`);
    expect(await page.getByRole('alert').textContent()).toBe('You may not create records of this object.');
    expect(await heading('/designer')).toBe('No access');
    expect(await heading('/o/spaceship')).toBe('Page not found');
    expect(await heading(`/o/contact/${NO_UUID}`)).toBe('Page not found');
    expect(errors).toEqual([]);
  });

  it('says which selected records a scoped delete grant refused, instead of "all deleted"', async () => {
    const rep = await s.kizuna.call('POST', '/api/users', {
      email: 'rep@example.jp',
      name: 'Rep',
      roles: ['sales_rep'],
      password: PASSWORD,
    });
    expect(rep.status, JSON.stringify(rep.body)).toBe(201);
    const own = await s.kizuna.call('POST', '/api/records/contact', { last_name: '佐藤', owner: rep.body.id });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    const { page, errors } = await open('rep@example.jp', PASSWORD);
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${s.baseUrl}/o/contact`);
    await expect.poll(() => page.locator('table.records tbody tr').count()).toBe(3);
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page.locator('[data-testid=toast].error').waitFor();
    expect(await page.locator('[data-testid=toast].error').innerText()).toMatch(/^2 records were not deleted: /);
    await expect.poll(() => page.locator('[data-testid=toast]').allInnerTexts()).toContain('1 record deleted');
    expect((await s.kizuna.call('GET', `/api/records/contact/${own.body.id}`)).status).toBe(404);
    expect((await s.kizuna.call('GET', `/api/records/contact/${ids.contact}`)).status).toBe(200);
    expect(errors).toEqual([]);
  });

  it('speaks Japanese to a Japanese reader: no-access pages, and a refusal after their rights changed', async () => {
    const { page, errors } = await open('reader-ja@example.jp', PASSWORD, 'ja-JP');
    await page.goto(`${s.baseUrl}/o/company`);
    await page.locator('[data-testid=no-access]').waitFor();
    expect(await page.locator('.error-page h1').innerText()).toBe('アクセス権がありません');
    await noSerious(page);
    await shot(page, 'access-no-access-ja');
    await page.goto(`${s.baseUrl}/o/contact/${NO_UUID}`);
    await page.locator('[data-testid=not-found]').waitFor();
    expect(await page.locator('.error-page p').innerText()).toBe('このレコードは存在しないか、削除されています。');

    // The page was drawn while they could update; an admin takes that away; their edit is refused.
    await page.goto(`${s.baseUrl}/o/contact/${ids.contact}`);
    await page.locator('[data-field=first_name] .edit-button').click();
    expect((await s.kizuna.call('PUT', '/api/roles/contact_reader', role('none'))).status).toBe(200);
    await page.locator('#inline-first_name').fill('次郎');
    await page.locator('#inline-first_name').press('Enter');
    const refusal = page.locator('[data-field=first_name] .field-error');
    await refusal.waitFor();
    expect(await refusal.innerText()).toBe('この操作は許可されていません。（取引先責任者）');
    expect(await refusal.innerText()).not.toMatch(/permitted|You may/);
    await shot(page, 'access-refused-ja');

    // Drawn again with the new rights: nothing to edit, no merge, no delete.
    await page.reload();
    await page.locator('[data-testid=dedupe-panel] li').first().waitFor();
    expect(await page.locator('.edit-button').count()).toBe(0);
    expect(await page.getByRole('button', { name: '編集', exact: true }).count()).toBe(0);
    expect(await page.locator('[data-testid=dedupe-panel] button, [data-testid=dedupe-panel] input[type=checkbox]').count()).toBe(0);
    await noSerious(page);
    await shot(page, 'access-reader-record-ja');
    expect(await page.locator('[data-testid=timeline] a[href^="/workflows/"]').count()).toBe(0);
    expect(errors).toEqual([]);
    expect((await s.kizuna.call('PUT', '/api/roles/contact_reader', role('all'))).status).toBe(200);
  });
});
