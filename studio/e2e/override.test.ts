// "Create anyway" in chromium: with the dedupe plugin blocking duplicate contacts, a second
// create of the same person is refused with the plugin's explanation and the matched record
// as a link; someone whose role may override creates it anyway (?override=true, recorded in
// the history), someone else is told who can.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './a11y.ts';
import { ADMIN_PASSWORD, shot, signIn, startStudio, type Studio } from './harness.ts';

describe('creating anyway in chromium', () => {
  let s: Studio;
  const person = { last_name: '中村', first_name: '美咲', email: 'misaki.nakamura@example.jp' };
  beforeAll(async () => {
    s = await startStudio();
    const k = s.kizuna;
    expect((await k.call('POST', '/api/plugins/dedupe/install')).status).toBe(201);
    expect((await k.call('PUT', '/api/plugins/dedupe/settings', { objects: { contact: { before_create: 'block' } } })).status).toBe(200);
    const rep = await k.call('POST', '/api/users', {
      email: 'rep@example.jp',
      name: 'Rep',
      roles: ['sales_rep'],
      password: 'rep-password-123',
    });
    expect(rep.status, JSON.stringify(rep.body)).toBe(201);
  });
  afterAll(() => s?.close());

  const fill = async (page: Page) => {
    await page.goto(`${s.baseUrl}/o/contact/new`);
    for (const [field, value] of Object.entries(person)) await page.locator(`#f-${field}`).fill(value);
  };
  const contactsWithEmail = async () =>
    (await s.kizuna.call('GET', `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ email: person.email }))}`)).body
      .data as { id: string; dedupe_review: boolean }[];

  it('shows the refusal with the matched record and creates anyway for someone who may override', async () => {
    const { page, errors } = await s.newPage();
    await signIn(page, s.baseUrl, 'admin@localhost', ADMIN_PASSWORD);
    await fill(page);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/o\/contact\/[0-9a-f-]{36}$/);
    const first = page.url().split('/').pop()!;

    await fill(page);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const refusal = page.getByTestId('overridable');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('This looks like a duplicate of an existing record.');
    // The matched record, by its display name (else its id), as a link to it.
    const link = refusal.locator(`a[href="/o/contact/${first}"]`);
    expect((await link.textContent())?.trim()).toMatch(/中村|[0-9a-f-]{36}/);
    expect(await contactsWithEmail()).toHaveLength(1);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'create-anyway');

    await refusal.getByRole('button', { name: 'Create anyway' }).click();
    await page.waitForURL((url) => /\/o\/contact\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(first));
    const second = page.url().split('/').pop()!;
    const both = await contactsWithEmail();
    expect(both.map((c) => c.id).sort()).toEqual([first, second].sort());
    expect(both.find((c) => c.id === second)?.dedupe_review).toBe(true);
    const [created] = (await s.kizuna.call('GET', `/api/records/contact/${second}/timeline`)).body.data.filter(
      (e: { action?: string }) => e.action === 'create',
    );
    expect(created.override).toBe(true);
    await page.getByTestId('override').first().waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('tells someone who may not override, in Japanese, without the button', async () => {
    const { page, errors } = await s.newPage('ja-JP');
    await signIn(page, s.baseUrl, 'rep@example.jp', 'rep-password-123');
    await page.getByRole('button', { name: '日本語' }).click();
    await fill(page);
    await page.getByRole('button', { name: '作成', exact: true }).click();
    const refusal = page.getByTestId('overridable');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('既存のレコードと重複している可能性があります');
    expect(await refusal.textContent()).not.toContain('looks like');
    expect(await refusal.textContent()).toMatch(/一致したレコード/);
    expect(await refusal.textContent()).toMatch(/上書きできる権限のある人だけ/);
    expect(await refusal.getByRole('button', { name: 'このまま作成' }).count()).toBe(0);
    expect(await contactsWithEmail()).toHaveLength(2);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
