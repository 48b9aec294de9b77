// Forms in chromium: checks in the browser from the object's own JSON Schema (no request sent,
// messages in the person's language), the server's 422 and 409 shown at their fields and
// translated by keyword, a form view designed in the object designer laying out the create
// form, the right input per type, and the detail timeline listing a workflow run.
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('studio forms in chromium', () => {
  let s: Studio;
  let page: Page;
  let errors: string[];
  const posts: string[] = [];

  beforeAll(async () => {
    s = await startStudio();
    const member = await s.kizuna.call('POST', '/api/meta/objects', {
      name: 'member',
      label: { en: 'Member', ja: '会員' },
      plural: 'members',
      display_field: 'code',
      fields: [
        { name: 'code', type: 'text', label: { en: 'Code', ja: 'コード' }, unique: true, required: true, max_length: 8 },
        { name: 'joined', type: 'date', label: { en: 'Joined', ja: '入会日' } },
        { name: 'visits', type: 'integer', label: { en: 'Visits', ja: '来店回数' }, minimum: 0, maximum: 999 },
        { name: 'fee', type: 'currency', label: { en: 'Fee', ja: '会費' }, currency: 'JPY' },
        { name: 'site', type: 'url', label: { en: 'Site', ja: 'サイト' } },
      ],
    });
    expect(member.status).toBe(201);
    await s.kizuna.call('POST', '/api/records/member', { code: 'M-001' });
    ({ page, errors } = await s.newPage());
    page.on('request', (r: Request) => void (r.method() === 'POST' && r.url().includes('/api/records/') && posts.push(r.url())));
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
  });
  afterAll(() => s?.close());

  it('checks a form in the browser from the JSON Schema, in Japanese, without sending it', async () => {
    await page.getByRole('button', { name: '日本語' }).click();
    await page.goto(`${s.baseUrl}/o/member/new`);
    // The input itself stops at max_length (8); the schema's other rules are checked on send.
    await page.locator('#f-code').fill('TOO-LONG-CODE');
    expect(await page.locator('#f-code').inputValue()).toBe('TOO-LONG');
    await page.locator('#f-code').fill('');
    await page.locator('#f-visits').fill('1000');
    await page.locator('#f-site').fill('ftp://example.jp');
    await page.locator('#f-fee').fill('12,5');
    await page.getByRole('button', { name: '作成' }).click();
    const error = (field: string) => page.locator(`[data-field=${field}] .field-error`).textContent();
    await expect.poll(() => error('code')).toBe('必須です');
    expect(await error('visits')).toBe('999 以下で入力してください');
    expect(await error('site')).toBe('正しい URL（https://…）を入力してください');
    expect(await error('fee')).toMatch(/金額/);
    expect(await page.locator('#f-code').getAttribute('aria-invalid')).toBe('true');
    expect(posts).toEqual([]);
    await shot(page, 'form-checks-ja');

    // Fixing a field clears its message as the person types.
    await page.locator('#f-visits').fill('12');
    await expect.poll(() => page.locator('[data-field=visits] .field-error').count()).toBe(0);
    expect(await error('code')).toBe('必須です');
  });

  it('shows the server 409 for a taken unique value at its field, translated', async () => {
    await page.locator('#f-code').fill('M-001');
    await page.locator('#f-site').fill('https://example.jp');
    // A yen amount has no fraction digits (ISO 4217's minor unit, from the browser's Intl): the
    // form says so before sending; written as people write yen, it is read as the server reads it.
    await page.locator('#f-fee').fill('5000.5');
    await page.getByRole('button', { name: '作成' }).click();
    await expect
      .poll(() => page.locator('[data-field=fee] .field-error').textContent())
      .toBe('通貨で使える小数桁数を超えています（JPY は 0 桁、USD は 2 桁）');
    expect(posts).toHaveLength(0);
    await page.locator('#f-fee').fill('¥5,000');
    await page.getByRole('button', { name: '作成' }).click();
    await expect.poll(() => page.locator('[data-field=code] .field-error').textContent()).toBe('他のレコードですでに使われています');
    expect(posts).toHaveLength(1);
    await page.locator('#f-code').fill('M-002');
    await page.locator('#f-joined').fill('2026-04-01');
    await page.getByRole('button', { name: '作成' }).click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('M-002');
    const made = (await s.kizuna.call('GET', `/api/records/member?filter=${encodeURIComponent(JSON.stringify({ code: 'M-002' }))}`)).body
      .data[0];
    expect(made).toMatchObject({ joined: '2026-04-01', visits: 12, fee: { amount: '5000', currency: 'JPY' }, site: 'https://example.jp' });
  });

  it('shows a server 422 the browser could not foresee at its field, in Japanese (a chosen company erased meanwhile)', async () => {
    const ghost = (await s.kizuna.call('POST', '/api/records/company', { name: 'ゴースト商事' })).body.id;
    await page.goto(`${s.baseUrl}/o/contact/new`);
    await page.locator('#f-last_name').fill('幽霊');
    await page.locator('#f-company').fill('ゴースト');
    await page.getByRole('option', { name: 'ゴースト商事' }).click();
    expect((await s.kizuna.call('DELETE', `/api/records/company/${ghost}?permanent=true`)).status).toBe(204);
    await page.getByRole('button', { name: '作成' }).click();
    await expect
      .poll(() => page.locator('[data-field=company] .field-error').textContent())
      .toBe('一覧から選んだレコードを指定してください');
    await expect.poll(() => page.locator('.form-message.error').textContent()).toBe('強調表示された項目を修正してください。');
    await shot(page, 'form-422-ja');
    await page.getByRole('button', { name: 'English' }).click();
    // Messages on screen follow the language switch.
    await expect.poll(() => page.locator('[data-field=company] .field-error').textContent()).toBe('must be a record chosen from the list');
  });

  it('offers the right input per type', async () => {
    await page.goto(`${s.baseUrl}/o/case/new`);
    await page.locator('#f-subject').waitFor();
    expect(await page.locator('#f-due_at').getAttribute('type')).toBe('datetime-local');
    expect(await page.locator('#f-status').evaluate((el) => el.tagName)).toBe('SELECT');
    expect(await page.locator('#f-contact').getAttribute('role')).toBe('combobox');
    expect(await page.locator('#f-description').evaluate((el) => el.tagName)).toBe('TEXTAREA');
    expect(await page.locator('#f-satisfaction').getAttribute('type')).toBe('number');
    await page.goto(`${s.baseUrl}/o/member/new`);
    expect(await page.locator('#f-joined').getAttribute('type')).toBe('date');
    expect(await page.locator('[data-field=fee]').getByRole('textbox', { name: 'Currency' }).inputValue()).toBe('JPY');
    await page.goto(`${s.baseUrl}/o/contact/new`);
    const tags = page.locator('[data-field=tags]');
    await tags.getByRole('button', { name: 'VIP' }).click();
    expect(await tags.getByRole('button', { name: 'VIP' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('lays out the create form from a form view designed in the object designer', async () => {
    await page.goto(`${s.baseUrl}/designer/contact`);
    await page.getByRole('button', { name: 'Form layout' }).click();
    const editor = page.getByTestId('layout-editor');
    await editor.waitFor();
    const keep = new Set(['last_name', 'first_name', 'email', 'company']);
    for (const name of await editor
      .locator('[data-section="0"] li[data-field]')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-field')!))) {
      if (!keep.has(name)) await editor.locator(`[data-section="0"] li[data-field=${name}] button`).last().click();
    }
    await editor.getByRole('textbox', { name: 'Section title (English) 1' }).fill('Person');
    await editor.getByRole('textbox', { name: 'Section title (日本語) 1' }).fill('本人');
    await editor.getByRole('button', { name: '+ Add section' }).click();
    await editor.getByRole('textbox', { name: 'Section title (English) 2' }).fill('Follow-up');
    await editor.getByRole('combobox', { name: 'Add field 2' }).selectOption('lifecycle');
    await editor.getByRole('combobox', { name: 'Add field 2' }).selectOption('tags');
    await shot(page, 'designer-form-layout');
    await editor.getByRole('button', { name: 'Save layout' }).click();
    await page.getByText('Saved').first().waitFor();
    const view = (await s.kizuna.call('GET', '/api/views?object=contact')).body.data.find((v: { kind: string }) => v.kind === 'form');
    expect(view).toMatchObject({
      shared: true,
      layout: {
        sections: [
          { label: { en: 'Person', ja: '本人' }, fields: ['last_name', 'first_name', 'email', 'company'] },
          { label: { en: 'Follow-up' }, fields: ['lifecycle', 'tags'] },
        ],
      },
    });

    await page.goto(`${s.baseUrl}/o/contact/new`);
    await page.locator('.record-form').waitFor();
    expect(await page.locator('.form-section legend').allTextContents()).toEqual(['Person', 'Follow-up']);
    expect(await page.locator('.form-field').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')))).toEqual([
      'last_name',
      'first_name',
      'email',
      'company',
      'lifecycle',
      'tags',
    ]);
    await shot(page, 'form-layout');
    await page.locator('#f-last_name').fill('整列');
    await page.locator('#f-lifecycle').selectOption('lead');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByTestId('record-title').textContent()).toBe('整列');
    // The edit form follows the same layout.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    expect(await page.locator('.form-section legend').allTextContents()).toEqual(['Person', 'Follow-up']);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('lays out the detail page in sections from the object designer', async () => {
    await page.goto(`${s.baseUrl}/designer/member`);
    await page.getByRole('button', { name: 'Detail layout' }).click();
    const editor = page.getByTestId('layout-editor');
    await editor.waitFor();
    for (const name of ['fee', 'site']) await editor.getByRole('button', { name: `Remove: ${name === 'fee' ? 'Fee' : 'Site'}` }).click();
    await editor.getByRole('textbox', { name: 'Section title (English) 1' }).fill('Membership');
    await editor.getByRole('button', { name: '+ Add section' }).click();
    await editor.getByRole('textbox', { name: 'Section title (English) 2' }).fill('Billing');
    await editor.getByRole('textbox', { name: 'Section title (日本語) 2' }).fill('請求');
    await editor.getByRole('combobox', { name: 'Add field 2' }).selectOption('fee');
    await editor.getByRole('button', { name: 'Save layout' }).click();
    await page.getByText('Saved').first().waitFor();
    const id = (await s.kizuna.call('GET', `/api/records/member?filter=${encodeURIComponent(JSON.stringify({ code: 'M-002' }))}`)).body
      .data[0].id;
    await page.goto(`${s.baseUrl}/o/member/${id}`);
    await page.getByTestId('record-title').waitFor();
    expect(await page.locator('.record-main .card-title').allTextContents()).toEqual(['Membership', 'Billing']);
    expect(await page.locator('.detail-field').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')))).toEqual([
      'code',
      'joined',
      'visits',
      'fee',
    ]);
    await page.getByRole('button', { name: '日本語' }).click();
    expect(await page.locator('.record-main .card-title').allTextContents()).toEqual(['Membership', '請求']);
    await page.getByRole('button', { name: 'English' }).click();
  });

  it('lists the workflow runs a record triggered on its timeline, with status and a link to the run', async () => {
    const wf = await s.kizuna.call('POST', '/api/workflows', {
      name: 'Welcome new contacts',
      trigger: { type: 'record.created', object: 'contact' },
      start: 'greet',
      steps: [{ id: 'greet', type: 'update_record', config: { values: { title: 'Welcomed' } } }],
    });
    expect(wf.status).toBe(201);
    expect((await s.kizuna.call('POST', `/api/workflows/${wf.body.id}/publish`)).status).toBe(200);
    expect((await s.kizuna.call('POST', `/api/workflows/${wf.body.id}/enable`)).status).toBe(200);
    const id = (await s.kizuna.call('POST', '/api/records/contact', { last_name: '流れ' })).body.id;
    await expect
      .poll(
        async () => {
          await s.kizuna.workflows.drain();
          return (await s.kizuna.call('GET', `/api/workflow-runs?object=contact&record_id=${id}`)).body.data[0]?.status;
        },
        { timeout: 20_000 },
      )
      .toBe('succeeded');
    const run = (await s.kizuna.call('GET', `/api/workflow-runs?object=contact&record_id=${id}`)).body.data[0];

    await page.goto(`${s.baseUrl}/o/contact/${id}`);
    const entry = page.locator('[data-testid=timeline] li[data-kind=workflow_run]');
    await entry.waitFor();
    expect(await entry.textContent()).toContain('Welcome new contacts');
    expect(await entry.textContent()).toContain('Succeeded');
    expect(await entry.getByRole('link', { name: 'Open run' }).getAttribute('href')).toBe(`/workflows/runs/${run.id}`);
    // The change the run made links to the run too.
    const change = page.locator('[data-testid=timeline] li[data-kind=history]', { hasText: 'Title' });
    expect(await change.getByRole('link', { name: 'by a workflow run' }).getAttribute('href')).toBe(`/workflows/runs/${run.id}`);
    await page.locator('[data-testid=timeline]').scrollIntoViewIfNeeded();
    await shot(page, 'detail-timeline-run');
  });

  it('raised no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
